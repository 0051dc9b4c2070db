import { applyDecorators, Type } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiExtraModels,
  ApiOkResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  getSchemaPath,
  IntersectionType,
} from '@nestjs/swagger';
import { CLIENT_WORDS_DESCRIPTION } from '../documents/client-words';

/**
 * OpenAPI shapes shared by the three inference endpoints. Validation happens in the document reader and the word
 * parser (and ask-request.ts for /v1/ask); each endpoint's DTOs extend these, which also names its schemas.
 */

export const BOX_SCHEMA = { type: 'array', items: { type: 'number' }, minItems: 4, maxItems: 4, example: [40, 38, 210, 70] } as const;

class MultipartDocumentDto {
  @ApiProperty({ type: 'string', format: 'binary', description: 'The document: PDF, PNG, JPEG, TIFF (every page), WebP, GIF or BMP' })
  file: unknown;

  @ApiPropertyOptional({ type: 'string', description: `JSON text. ${CLIENT_WORDS_DESCRIPTION}` })
  words?: string;
}

class JsonDocumentDto {
  @ApiProperty({ type: 'string', format: 'byte', description: 'The document, base64-encoded' })
  document: string;

  @ApiPropertyOptional({ type: 'array', items: { type: 'object' }, description: CLIENT_WORDS_DESCRIPTION })
  words?: unknown[];
}

/** The request fields every document endpoint accepts, as multipart/form-data and as JSON; `task` names the default model. */
export function documentRequestDtos(task: string) {
  class DocumentOptionsDto {
    @ApiPropertyOptional({ description: 'Pages to read, 1-based: `1-3,5` (TIFF and PDF); default every page', example: '1-3,5' })
    pages?: string;

    @ApiPropertyOptional({ description: `Model id from GET /v1/models; default: the shipped ${task} model` })
    model?: string;
  }
  return {
    DocumentMultipartDto: IntersectionType(MultipartDocumentDto, DocumentOptionsDto),
    DocumentJsonDto: IntersectionType(JsonDocumentDto, DocumentOptionsDto),
  };
}

export class ModelRefDto {
  @ApiProperty({ example: 'funsd-extract-mpnet' }) id: string;
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

/** What every inference response starts with; each endpoint adds its results. */
export class InferenceResponseDto {
  @ApiProperty({ type: ModelRefDto })
  model: ModelRefDto;

  @ApiProperty({ type: RequestTimingsDto })
  timings: RequestTimingsDto;
}

/**
 * The OpenAPI description every document endpoint shares: its request body (multipart or JSON), its answer, and the
 * transport and error responses (the codes come from the global error filter).
 */
export function ApiDocumentEndpoint(body: { multipart: Type; json: Type; response: Type; badRequest: string }): MethodDecorator {
  return applyDecorators(
    ApiConsumes('multipart/form-data', 'application/json'),
    ApiExtraModels(body.multipart, body.json),
    ApiBody({ schema: { oneOf: [{ $ref: getSchemaPath(body.multipart) }, { $ref: getSchemaPath(body.json) }] } }),
    ApiOkResponse({ type: body.response }),
    ApiResponse({ status: 400, description: body.badRequest }),
    ApiResponse({ status: 404, description: 'MODEL_NOT_FOUND' }),
    ApiResponse({ status: 413, description: 'Document, page or image too large; too many pages' }),
    ApiResponse({ status: 415, description: 'Unsupported document format' }),
    ApiResponse({ status: 422, description: 'Unreadable, encrypted or empty document' }),
    ApiResponse({ status: 503, description: 'OVERLOADED (with Retry-After) or MODEL_UNAVAILABLE' }),
  );
}
