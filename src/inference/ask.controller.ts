import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AppConfig } from '../config/app-config';
import { DocumentsService } from '../documents/documents.service';
import { parseMinScore, parseQuestions, parseTopK } from './ask-request';
import { AskJsonDto, AskMultipartDto, AskResponseDto } from './ask.dto';
import { AskService } from './ask.service';
import { ApiDocumentEndpoint } from './inference.dto';

@ApiTags('inference')
@Controller('v1')
export class AskController {
  constructor(
    private readonly config: AppConfig,
    private readonly documents: DocumentsService,
    private readonly askService: AskService,
  ) {}

  @Post('ask')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Answer questions about a document (extractive document VQA)',
    description:
      'Upload a document as multipart/form-data (`file` + `questions`, a JSON array of strings) or JSON (`document`, base64, + ' +
      '`questions`). Each answer is a span of the document’s words, searched over every window of every page. Asking again ' +
      'about the same document reuses its decoding, words and image encoding (page cache).',
  })
  @ApiDocumentEndpoint({
    multipart: AskMultipartDto,
    json: AskJsonDto,
    response: AskResponseDto,
    badRequest: 'INVALID_QUESTIONS, QUESTION_TOO_LONG, TOO_MANY_QUESTIONS; missing document, invalid words, pages or request',
  })
  async ask(@Req() request: FastifyRequest): Promise<AskResponseDto> {
    const { document, words, fields } = await this.documents.readRequest(request);
    return this.askService.ask({
      document,
      words,
      pages: fields.pages,
      model: fields.model || undefined,
      questions: parseQuestions(fields.questions, this.config.askMaxQuestions),
      topK: parseTopK(fields.topK),
      minScore: parseMinScore(fields.minScore, this.config.askMinConfidence),
    });
  }
}
