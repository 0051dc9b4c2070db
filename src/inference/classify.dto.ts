import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CLIENT_WORDS_DESCRIPTION } from '../documents/client-words';
import { modelDescription, ModelRefDto, PAGES_DESCRIPTION, RequestTimingsDto } from './inference.dto';

/** OpenAPI shapes of POST /v1/classify. Validation happens in the document reader and the word parser. */

const MODEL_DESCRIPTION = modelDescription('classify');

export class ClassifyMultipartDto {
  @ApiProperty({ type: 'string', format: 'binary', description: 'The document: PDF, PNG, JPEG, TIFF, WebP, GIF or BMP' })
  file: unknown;

  @ApiPropertyOptional({ type: 'string', description: `JSON text. ${CLIENT_WORDS_DESCRIPTION}` })
  words?: string;

  @ApiPropertyOptional({ description: PAGES_DESCRIPTION, example: '1-3,5' })
  pages?: string;

  @ApiPropertyOptional({ description: MODEL_DESCRIPTION })
  model?: string;
}

export class ClassifyJsonDto {
  @ApiProperty({ type: 'string', format: 'byte', description: 'The document, base64-encoded' })
  document: string;

  @ApiPropertyOptional({ type: 'array', items: { type: 'object' }, description: CLIENT_WORDS_DESCRIPTION })
  words?: unknown[];

  @ApiPropertyOptional({ description: PAGES_DESCRIPTION, example: '1-3,5' })
  pages?: string;

  @ApiPropertyOptional({ description: MODEL_DESCRIPTION })
  model?: string;
}

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

export class ClassifyResponseDto {
  @ApiProperty({ type: ModelRefDto })
  model: ModelRefDto;

  @ApiProperty({ type: ClassScoresDto, description: 'Mean of the page probabilities' })
  document: ClassScoresDto;

  @ApiProperty({ type: [ClassifyPageDto], description: 'Per page: mean of its windows’ probabilities' })
  pages: ClassifyPageDto[];

  @ApiProperty({ type: RequestTimingsDto })
  timings: RequestTimingsDto;
}
