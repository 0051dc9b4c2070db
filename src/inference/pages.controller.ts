import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { performance } from 'node:perf_hooks';
import { DocumentsService } from '../documents/documents.service';
import { DocumentPipeline, elapsedMs, newTimings } from './document-pipeline.service';
import { ApiDocumentEndpoint } from './inference.dto';
import { PagesJsonDto, PagesMultipartDto, PagesResponseDto } from './pages.dto';

/**
 * The pages of a document as the service reads them, so a client (the Studio) can draw the boxes of the other
 * endpoints on the very pixels they refer to — a PDF or a multi-page TIFF included, which browsers cannot show.
 */
@ApiTags('inference')
@Controller('v1')
export class PagesController {
  constructor(
    private readonly documents: DocumentsService,
    private readonly pipeline: DocumentPipeline,
  ) {}

  @Post('pages')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Render a document’s pages as the models see them',
    description: 'Same upload as /v1/extract; answers each selected page as a PNG data URL with its pixel size. The pages stay in the page cache for the next request on the document.',
  })
  @ApiDocumentEndpoint({ multipart: PagesMultipartDto, json: PagesJsonDto, response: PagesResponseDto, badRequest: 'Missing document, invalid pages or request' })
  async pages(@Req() request: FastifyRequest): Promise<PagesResponseDto> {
    const started = performance.now();
    const { document, fields } = await this.documents.readRequest(request);
    const timings = newTimings();
    const { images } = await this.pipeline.decodePages({ document, pages: fields.pages }, timings);
    return {
      pages: images.map((image) => ({ page: image.index + 1, width: image.width, height: image.height, image: `data:image/png;base64,${image.png.toString('base64')}` })),
      timings: { totalMs: elapsedMs(started), decodeMs: timings.decodeMs },
    };
  }
}
