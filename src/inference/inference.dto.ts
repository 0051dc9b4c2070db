import { applyDecorators } from '@nestjs/common';
import { ApiConsumes, ApiResponse, ApiProperty } from '@nestjs/swagger';

/** OpenAPI shapes shared by the three inference endpoints. */

export const BOX_SCHEMA = { type: 'array', items: { type: 'number' }, minItems: 4, maxItems: 4, example: [40, 38, 210, 70] } as const;
export const PAGES_DESCRIPTION = 'Pages to read, 1-based: `1-3,5` (TIFF and PDF); default every page';

export function modelDescription(task: string): string {
  return `Model id from GET /v1/models; default: the shipped ${task} model`;
}

export class ModelRefDto {
  @ApiProperty({ example: 'funsd-extract-small' }) id: string;
  @ApiProperty({ example: '1' }) version: string;
}

export class RequestTimingsDto {
  @ApiProperty() totalMs: number;

  @ApiProperty({ description: 'Reading the document into pages (PDF rendering included); 0 when cached' })
  decodeMs: number;

  @ApiProperty({ description: 'Server OCR time; 0 when the words came from the client, a PDF text layer or the page cache' })
  ocrMs: number;

  @ApiProperty({ description: 'Image side of the model (resize, normalise, image encoder); 0 when cached' })
  imageEncoderMs: number;

  @ApiProperty({ description: 'Forward passes, including queueing' })
  modelMs: number;

  @ApiProperty({ description: 'True when decoding, words and the image side all came from the page cache' })
  cacheHit: boolean;
}

/** Transport and error responses every document endpoint shares (the codes come from the global error filter). */
export function ApiDocumentEndpoint(badRequest: string): MethodDecorator {
  return applyDecorators(
    ApiConsumes('multipart/form-data', 'application/json'),
    ApiResponse({ status: 400, description: badRequest }),
    ApiResponse({ status: 404, description: 'MODEL_NOT_FOUND' }),
    ApiResponse({ status: 413, description: 'Document, page or image too large; too many pages' }),
    ApiResponse({ status: 415, description: 'Unsupported document format' }),
    ApiResponse({ status: 422, description: 'Unreadable, encrypted or empty document' }),
    ApiResponse({ status: 503, description: 'OVERLOADED (with Retry-After) or MODEL_UNAVAILABLE' }),
  );
}
