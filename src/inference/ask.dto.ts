import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { DEFAULT_TOP_K, MAX_TOP_K } from './ask-request';
import { BOX_SCHEMA, documentRequestDtos, InferenceResponseDto } from './inference.dto';

/** OpenAPI shapes of POST /v1/ask. Questions, topK and minScore are validated in ask-request.ts. */

const { DocumentMultipartDto, DocumentJsonDto } = documentRequestDtos('ask');
const QUESTIONS_DESCRIPTION = 'Non-empty list of questions about the document (each within the model’s question token limit)';

class AskOptionsDto {
  @ApiPropertyOptional({ description: `Alternatives per question, 1–${MAX_TOP_K} (default ${DEFAULT_TOP_K})` })
  topK?: number;

  @ApiPropertyOptional({ description: 'Best answers under this confidence (0–1) are reported as no answer (default: AETNET_ASK_MIN_CONFIDENCE)' })
  minScore?: number;
}

export class AskMultipartDto extends IntersectionType(DocumentMultipartDto, AskOptionsDto) {
  @ApiProperty({ type: 'string', description: `JSON text of an array of strings. ${QUESTIONS_DESCRIPTION}`, example: '["What is the date?"]' })
  questions: string;
}

export class AskJsonDto extends IntersectionType(DocumentJsonDto, AskOptionsDto) {
  @ApiProperty({ type: [String], description: QUESTIONS_DESCRIPTION, example: ['What is the date?'] })
  questions: string[];
}

export class AnswerWordDto {
  @ApiProperty({ example: '12/03/1990' }) text: string;
  @ApiProperty({ ...BOX_SCHEMA, description: 'Page pixels [x0, y0, x1, y1]' }) box: number[];
}

export class AlternativeDto {
  @ApiProperty({ example: '12/03/1990' }) answer: string;
  @ApiProperty({ example: 0.71 }) confidence: number;
  @ApiProperty({ example: 1, description: '1-based page number' }) page: number;
  @ApiProperty({ ...BOX_SCHEMA, description: 'Union of the answer words, page pixels' }) box: number[];
}

export class AnswerDto {
  @ApiProperty({ example: 'What is the date?' })
  question: string;

  @ApiProperty({ type: String, nullable: true, example: '12/03/1990', description: 'The answer words joined by spaces; null when noAnswer' })
  answer: string | null;

  @ApiProperty({ example: 0.71, description: 'Probability of the best span (softmax over all spans and no-answer), even when under the threshold' })
  confidence: number;

  @ApiProperty({ example: 0.05, description: 'Probability that the document holds no answer ([CLS] score)' })
  noAnswerConfidence: number;

  @ApiProperty({ type: Number, nullable: true, example: 1, description: '1-based page number; null when noAnswer' })
  page: number | null;

  @ApiProperty({ ...BOX_SCHEMA, nullable: true, description: 'Union of the answer words, page pixels; null when noAnswer' })
  box: number[] | null;

  @ApiProperty({ type: [AnswerWordDto], description: 'The answer words; empty when noAnswer' })
  words: AnswerWordDto[];

  @ApiProperty({ type: [AlternativeDto], description: 'Best spans, best first (the first is the answer unless noAnswer)' })
  topK: AlternativeDto[];

  @ApiProperty({ description: 'True when the best span is under the threshold or no-answer is more likely' })
  noAnswer: boolean;
}

export class AskResponseDto extends InferenceResponseDto {
  @ApiProperty({ type: [AnswerDto], description: 'One per question, in order' })
  answers: AnswerDto[];
}
