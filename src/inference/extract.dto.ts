import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CLIENT_WORDS_DESCRIPTION } from '../documents/client-words';

/** OpenAPI shapes of POST /v1/extract. Validation happens in the document reader and the word parser. */

const BOX_SCHEMA = { type: 'array', items: { type: 'number' }, minItems: 4, maxItems: 4, example: [40, 38, 210, 70] } as const;
const MODEL_DESCRIPTION = 'Model id from GET /v1/models; default: the shipped extract model';

export class ExtractMultipartDto {
  @ApiProperty({ type: 'string', format: 'binary', description: 'The document: PNG, JPEG, TIFF (every page), WebP, GIF or BMP' })
  file: unknown;

  @ApiPropertyOptional({ type: 'string', description: `JSON text. ${CLIENT_WORDS_DESCRIPTION}` })
  words?: string;

  @ApiPropertyOptional({ description: MODEL_DESCRIPTION })
  model?: string;
}

export class ExtractJsonDto {
  @ApiProperty({ type: 'string', format: 'byte', description: 'The document, base64-encoded' })
  document: string;

  @ApiPropertyOptional({ type: 'array', items: { type: 'object' }, description: CLIENT_WORDS_DESCRIPTION })
  words?: unknown[];

  @ApiPropertyOptional({ description: MODEL_DESCRIPTION })
  model?: string;
}

export class ExtractEntityDto {
  @ApiProperty({ example: 'QUESTION', description: 'Entity type (the label without its B-/I- prefix)' })
  label: string;

  @ApiProperty({ example: 'Date of birth:' })
  text: string;

  @ApiProperty({ example: 0.93, description: 'Mean confidence of the entity’s words' })
  confidence: number;

  @ApiProperty({ ...BOX_SCHEMA, description: 'Union of the word boxes, page pixels [x0, y0, x1, y1]' })
  box: number[];

  @ApiProperty({ type: [Number], example: [0, 1, 2], description: 'Indices into the page’s words' })
  words: number[];
}

export class ExtractWordDto {
  @ApiProperty({ example: 'Date' })
  text: string;

  @ApiProperty({ ...BOX_SCHEMA, description: 'Page pixels [x0, y0, x1, y1]' })
  box: number[];

  @ApiProperty({ example: 'B-QUESTION', description: 'BIO label of the word (from its first sub-token)' })
  label: string;

  @ApiProperty({ example: 0.97, description: 'Probability of the label' })
  confidence: number;
}

export class PageTimingsDto {
  @ApiProperty({ description: 'Server OCR time; 0 when the client sent words' })
  ocrMs: number;

  @ApiProperty({ description: 'Encoding, queueing and forward passes' })
  modelMs: number;
}

export class ExtractPageDto {
  @ApiProperty({ example: 1, description: '1-based page number' })
  page: number;

  @ApiProperty() width: number;
  @ApiProperty() height: number;

  @ApiProperty({ type: [ExtractEntityDto] })
  entities: ExtractEntityDto[];

  @ApiProperty({ type: [ExtractWordDto] })
  words: ExtractWordDto[];

  @ApiProperty({ type: PageTimingsDto })
  timings: PageTimingsDto;
}

export class ModelRefDto {
  @ApiProperty({ example: 'funsd-extract-small' }) id: string;
  @ApiProperty({ example: '1' }) version: string;
}

export class TotalTimingsDto {
  @ApiProperty() totalMs: number;
}

export class ExtractResponseDto {
  @ApiProperty({ type: ModelRefDto })
  model: ModelRefDto;

  @ApiProperty({ type: [ExtractPageDto] })
  pages: ExtractPageDto[];

  @ApiProperty({ type: TotalTimingsDto })
  timings: TotalTimingsDto;
}
