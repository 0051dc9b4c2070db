import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { PageImage, PageWord } from '../common/document-types';
import { AppConfig } from '../config/app-config';
import { parseClientWords } from './client-words';
import { DecodeOptions, decodeDocument } from './document-decoder';
import { DocumentRequest, readDocumentRequest } from './document-request';

/** Document intake for every endpoint: request → bytes → pages, and client words checked against those pages. */
@Injectable()
export class DocumentsService {
  constructor(private readonly config: AppConfig) {}

  readRequest(request: FastifyRequest): Promise<DocumentRequest> {
    return readDocumentRequest(request, this.config);
  }

  /** The selected pages (`options.pages`, e.g. `1-3,5`; all when absent), PDFs included. */
  decode(document: Buffer, options: DecodeOptions = {}): Promise<PageImage[]> {
    return decodeDocument(document, {
      maxPixels: this.config.maxPixels,
      maxPages: this.config.maxPages,
      pdfDpi: this.config.pdfDpi,
      pageTimeoutMs: this.config.pdfPageTimeoutMs,
    }, options);
  }

  parseClientWords(words: unknown, pages: PageImage[]): PageWord[][] {
    return parseClientWords(words, pages, this.config.maxWordsPerPage);
  }
}
