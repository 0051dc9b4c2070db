import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { OcrService } from '../ocr/ocr.service';
import { RegistryService } from '../registry/registry.service';

export interface Readiness {
  status: 'ready' | 'not_ready';
  /** The OCR engine (AETNET_OCR_ENGINE), whether it runs, and why not when it does not. */
  ocr: { engine: string; available: boolean; reason?: string };
  /** executionProviderFallback: why a preferred provider (e.g. CUDA) did not load and the model runs on the next one. */
  models: Array<{ id: string; tasks: string[]; executionProvider: string; executionProviderFallback?: string }>;
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly registry: RegistryService,
    private readonly ocr: OcrService,
  ) {}

  /** Liveness must stay synchronous: it is the probe that shows the event loop is free. */
  @Get('live')
  @HttpCode(200)
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: at least one model is loaded and OCR is available (503 otherwise)' })
  @ApiOkResponse({ schema: { example: { status: 'ready', ocr: { engine: 'ppocr', available: true }, models: [{ id: 'document-mpnet6', tasks: ['extract', 'ask', 'classify'], executionProvider: 'cpu' }] } } })
  @ApiServiceUnavailableResponse({ description: 'Not ready; same body with status "not_ready"' })
  ready(@Res({ passthrough: true }) reply: FastifyReply): Readiness {
    const models = this.registry.readiness();
    const ready = models.ready && this.ocr.available;
    void reply.code(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not_ready', ocr: this.ocr.status, models: models.models };
  }
}
