import fastifyMultipart from '@fastify/multipart';
import { DynamicModule, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { randomUUID } from 'node:crypto';
import { AppModule } from './app.module';
import { ErrorFilter } from './common/error.filter';
import { AppConfig } from './config/app-config';

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** Client OCR (`words`) rides along with the document; this bounds it (≈ 80k words of JSON). */
const WORDS_FIELD_BYTES = 8 * 1024 * 1024;

/** A JSON request carries the document as base64 (4/3 of its size) plus the words. */
export function jsonBodyLimit(maxUploadBytes: number): number {
  return Math.ceil((maxUploadBytes * 4) / 3) + WORDS_FIELD_BYTES;
}

/** Every level at or above the configured one ('log' → fatal, error, warn, log). */
export function logLevelsFrom(level: string): LogLevel[] {
  const index = LOG_LEVELS.indexOf(level as LogLevel);
  return LOG_LEVELS.slice(0, index < 0 ? LOG_LEVELS.indexOf('log') + 1 : index + 1);
}

/**
 * Builds the initialised application (used by main.ts and every e2e test). `rootModule` defaults to the full
 * service; tests may pass a smaller module.
 */
export async function createApp(
  config: Readonly<AppConfig>,
  rootModule: DynamicModule = AppModule.forRoot(config),
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({ bodyLimit: jsonBodyLimit(config.maxUploadBytes), genReqId: () => randomUUID() });
  const app = await NestFactory.create<NestFastifyApplication>(rootModule, adapter, { logger: logLevelsFrom(config.logLevel) });

  await app.register(fastifyMultipart, {
    limits: { fileSize: config.maxUploadBytes, files: 1, fieldSize: WORDS_FIELD_BYTES },
  });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  app.useGlobalFilters(new ErrorFilter());
  app.enableShutdownHooks();

  const openApi = new DocumentBuilder()
    .setTitle('aetnet')
    .setDescription('Self-hosted document AI: form entity extraction with layout-aware models (AETNet).')
    .setVersion('0.1.0')
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, openApi));

  await app.init();
  return app;
}
