import { ApiProperty } from '@nestjs/swagger';
import { documentRequestDtos } from './inference.dto';

/** OpenAPI shapes of POST /v1/pages. */

const { DocumentMultipartDto, DocumentJsonDto } = documentRequestDtos('extract');

export class PagesMultipartDto extends DocumentMultipartDto {}

export class PagesJsonDto extends DocumentJsonDto {}

export class RenderedPageDto {
  @ApiProperty({ example: 1, description: '1-based page number' })
  page: number;

  @ApiProperty({ description: 'Pixels: the space every box of /v1/extract, /v1/ask and words is given in' }) width: number;
  @ApiProperty() height: number;

  @ApiProperty({ example: 'data:image/png;base64,iVBORw0…', description: 'The page as the models see it (orientation applied, PDF rendered), PNG data URL' })
  image: string;
}

export class PagesTimingsDto {
  @ApiProperty() totalMs: number;
  @ApiProperty({ description: 'Reading the document into pages (PDF rendering included); 0 when cached' }) decodeMs: number;
}

export class PagesResponseDto {
  @ApiProperty({ type: [RenderedPageDto] })
  pages: RenderedPageDto[];

  @ApiProperty({ type: PagesTimingsDto })
  timings: PagesTimingsDto;
}
