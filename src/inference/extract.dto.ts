import { ApiProperty } from '@nestjs/swagger';
import { BOX_SCHEMA, documentRequestDtos, InferenceResponseDto } from './inference.dto';

/** OpenAPI shapes of POST /v1/extract. */

const { DocumentMultipartDto, DocumentJsonDto } = documentRequestDtos('extract');

export class ExtractMultipartDto extends DocumentMultipartDto {}

export class ExtractJsonDto extends DocumentJsonDto {}

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

export class KeyValuePairDto {
  @ApiProperty({ example: 3, description: 'Index of the key in the page’s `entities`' })
  keyIndex: number;

  @ApiProperty({ type: Number, nullable: true, example: 4, description: 'Index of the value in `entities`; null for a key without a value' })
  valueIndex: number | null;

  @ApiProperty({ type: ExtractEntityDto, description: 'The key entity (a QUESTION), as in `entities`' })
  key: ExtractEntityDto;

  @ApiProperty({ type: ExtractEntityDto, nullable: true, description: 'The value entity (an ANSWER), as in `entities`; null when the key has none' })
  value: ExtractEntityDto | null;

  @ApiProperty({ type: Number, nullable: true, example: 0.91, description: 'Probability of the link (model pairs); null for geometric pairs and lone keys' })
  confidence: number | null;
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
  @ApiProperty({ description: 'Server OCR time; 0 when the words came from the client, a PDF text layer or the page cache' })
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

  @ApiProperty({ type: [KeyValuePairDto], description: 'Which answer belongs to which question; every key without a value too (keys are QUESTION entities, values ANSWER)' })
  pairs: KeyValuePairDto[];

  @ApiProperty({ enum: ['model', 'geometric'], description: "How the pairs were made: `model` = the bundle's key-value head; `geometric` (a bundle without one) = each question takes the nearest answer to its right on its line, else below" })
  pairsFrom: 'model' | 'geometric';

  @ApiProperty({ type: [ExtractWordDto] })
  words: ExtractWordDto[];

  @ApiProperty({ type: PageTimingsDto })
  timings: PageTimingsDto;
}

export class ExtractResponseDto extends InferenceResponseDto {
  @ApiProperty({ type: [ExtractPageDto] })
  pages: ExtractPageDto[];
}
