import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { DocumentsService } from '../documents/documents.service';
import { ClassifyJsonDto, ClassifyMultipartDto, ClassifyResponseDto } from './classify.dto';
import { ClassifyService } from './classify.service';
import { ApiDocumentEndpoint } from './inference.dto';

@ApiTags('inference')
@Controller('v1')
export class ClassifyController {
  constructor(
    private readonly documents: DocumentsService,
    private readonly classifyService: ClassifyService,
  ) {}

  @Post('classify')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Classify a document and each of its pages',
    description:
      'Upload a document as multipart/form-data (`file`) or JSON (`document`, base64). Per page: the mean of its windows’ class ' +
      'probabilities; the document: the mean of its pages’.',
  })
  @ApiDocumentEndpoint({
    multipart: ClassifyMultipartDto,
    json: ClassifyJsonDto,
    response: ClassifyResponseDto,
    badRequest: 'Missing document, invalid words, pages or request',
  })
  async classify(@Req() request: FastifyRequest): Promise<ClassifyResponseDto> {
    const { document, words, fields } = await this.documents.readRequest(request);
    return this.classifyService.classify({ document, words, pages: fields.pages, model: fields.model || undefined });
  }
}
