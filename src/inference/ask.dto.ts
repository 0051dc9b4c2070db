import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CLIENT_WORDS_DESCRIPTION } from '../documents/client-words';
import { DEFAULT_TOP_K, MAX_TOP_K } from './ask-request';
import { BOX_SCHEMA, modelDescription, ModelRefDto, PAGES_DESCRIPTION, RequestTimingsDto } from './inference.dto';

/** OpenAPI shapes of POST /v1/ask. Validation happens in ask-request.ts, the document reader and the word parser. */

const MODEL_DESCRIPTION = modelDescription('ask');
const QUESTIONS_DESCRIPTION = 'Non-empty list of questions about the document (each within the model’s question token limit)';
const TOP_K_DESCRIPTION = `Alternatives per question, 1–${MAX_TOP_K} (default ${DEFAULT_TOP_K})`;
const MIN_SCORE_DESCRIPTION = 'Best answers under this confidence (0–1) are reported as no answer (default: AETNET_ASK_MIN_CONFIDENCE)';

export class AskMultipartDto {
  @ApiProperty({ type: 'string', format: 'binary', description: 'The document: PDF, PNG, JPEG, TIFF, WebP, GIF or BMP' })
  file: unknown;

  @ApiProperty({ type: 'string', description: `JSON text of an array of strings. ${QUESTIONS_DESCRIPTION}`, example: '["What is the date?"]' })
  questions: string;

  @ApiPropertyOptional({ type: 'string', description: `JSON text. ${CLIENT_WORDS_DESCRIPTION}` })
  words?: string;

  @ApiPropertyOptional({ description: PAGES_DESCRIPTION, example: '1-3,5' })
  pages?: string;

  @ApiPropertyOptional({ description: MODEL_DESCRIPTION })
  model?: string;

  @ApiPropertyOptional({ description: TOP_K_DESCRIPTION })
  topK?: number;

  @ApiPropertyOptional({ description: MIN_SCORE_DESCRIPTION })
  minScore?: number;
}

export class AskJsonDto {
  @ApiProperty({ type: 'string', format: 'byte', description: 'The document, base64-encoded' })
  document: string;

  @ApiProperty({ type: [String], description: QUESTIONS_DESCRIPTION, example: ['What is the date?'] })
  questions: string[];

  @ApiPropertyOptional({ type: 'array', items: { type: 'object' }, description: CLIENT_WORDS_DESCRIPTION })
  words?: unknown[];

  @ApiPropertyOptional({ description: PAGES_DESCRIPTION, example: '1-3,5' })
  pages?: string;

  @ApiPropertyOptional({ description: MODEL_DESCRIPTION })
  model?: string;

  @ApiPropertyOptional({ description: TOP_K_DESCRIPTION })
  topK?: number;

  @ApiPropertyOptional({ description: MIN_SCORE_DESCRIPTION })
  minScore?: number;
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

export class AskResponseDto {
  @ApiProperty({ type: ModelRefDto })
  model: ModelRefDto;

  @ApiProperty({ type: [AnswerDto], description: 'One per question, in order' })
  answers: AnswerDto[];

  @ApiProperty({ type: RequestTimingsDto })
  timings: RequestTimingsDto;
}
