import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { DocumentsService } from '../documents/documents.service';
import { ExtractJsonDto, ExtractMultipartDto, ExtractResponseDto } from './extract.dto';
import { ExtractService } from './extract.service';

@ApiTags('inference')
@Controller('v1')
export class ExtractController {
  constructor(
    private readonly documents: DocumentsService,
    private readonly extractService: ExtractService,
  ) {}

  @Post('extract')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Extract form entities (headers, questions, answers)',
    description: 'Upload a document as multipart/form-data (`file`) or JSON (`document`, base64). Words come from server OCR unless `words` is given.',
  })
  @ApiConsumes('multipart/form-data', 'application/json')
  @ApiExtraModels(ExtractMultipartDto, ExtractJsonDto)
  @ApiBody({ schema: { oneOf: [{ $ref: getSchemaPath(ExtractMultipartDto) }, { $ref: getSchemaPath(ExtractJsonDto) }] } })
  @ApiOkResponse({ type: ExtractResponseDto })
  @ApiResponse({ status: 400, description: 'Missing document, invalid words or request' })
  @ApiResponse({ status: 404, description: 'MODEL_NOT_FOUND' })
  @ApiResponse({ status: 413, description: 'Document, page or image too large' })
  @ApiResponse({ status: 415, description: 'Unsupported document format' })
  @ApiResponse({ status: 422, description: 'Unreadable document' })
  @ApiResponse({ status: 503, description: 'OVERLOADED (with Retry-After) or MODEL_UNAVAILABLE' })
  async extract(@Req() request: FastifyRequest): Promise<ExtractResponseDto> {
    const { document, words, fields } = await this.documents.readRequest(request);
    return this.extractService.extract({ document, words, model: fields.model || undefined });
  }
}
