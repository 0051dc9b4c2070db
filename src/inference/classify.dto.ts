import { ApiProperty } from '@nestjs/swagger';
import { documentRequestDtos, InferenceResponseDto } from './inference.dto';

/** OpenAPI shapes of POST /v1/classify. */

const { DocumentMultipartDto, DocumentJsonDto } = documentRequestDtos('classify');

export class ClassifyMultipartDto extends DocumentMultipartDto {}

export class ClassifyJsonDto extends DocumentJsonDto {}

export class ClassScoresDto {
  @ApiProperty({ example: 'invoice', description: 'The most probable class' })
  label: string;

  @ApiProperty({ example: 0.91, description: 'Probability of `label`' })
  confidence: number;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' }, example: { invoice: 0.91, letter: 0.06, form: 0.03 } })
  scores: Record<string, number>;
}

export class ClassifyPageDto extends ClassScoresDto {
  @ApiProperty({ example: 1, description: '1-based page number in the document' })
  page: number;
}

export class ClassifyResponseDto extends InferenceResponseDto {
  @ApiProperty({ type: ClassScoresDto, description: 'Mean of the page probabilities' })
  document: ClassScoresDto;

  @ApiProperty({ type: [ClassifyPageDto], description: 'Per page: mean of its windows’ probabilities' })
  pages: ClassifyPageDto[];
}
