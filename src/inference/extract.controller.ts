import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { DocumentsService } from '../documents/documents.service';
import { ExtractJsonDto, ExtractMultipartDto, ExtractResponseDto } from './extract.dto';
import { ExtractService } from './extract.service';
import { ApiDocumentEndpoint } from './inference.dto';

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
    description:
      'Upload a document as multipart/form-data (`file`) or JSON (`document`, base64). Words come from `words` when given, else from a PDF text layer, else from server OCR.',
  })
  @ApiDocumentEndpoint({
    multipart: ExtractMultipartDto,
    json: ExtractJsonDto,
    response: ExtractResponseDto,
    badRequest: 'Missing document, invalid words, pages or request',
  })
  async extract(@Req() request: FastifyRequest): Promise<ExtractResponseDto> {
    const { document, words, fields } = await this.documents.readRequest(request);
    return this.extractService.extract({ document, words, pages: fields.pages, model: fields.model || undefined });
  }
}
