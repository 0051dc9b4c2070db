import { Module } from '@nestjs/common';
import { PageCache } from '../cache/page-cache';
import { AppConfig } from '../config/app-config';
import { DocumentsModule } from '../documents/documents.module';
import { ModelModule } from '../model/model.module';
import { OcrModule } from '../ocr/ocr.module';
import { RegistryModule } from '../registry/registry.module';
import { AskController } from './ask.controller';
import { AskService } from './ask.service';
import { ClassifyController } from './classify.controller';
import { ClassifyService } from './classify.service';
import { DocumentPipeline } from './document-pipeline.service';
import { ExtractController } from './extract.controller';
import { ExtractService } from './extract.service';
import { PagesController } from './pages.controller';

/** The public inference endpoints (and the rendered pages they answer about) and the page preparation (with its reuse cache) they share. */
@Module({
  imports: [DocumentsModule, OcrModule, ModelModule, RegistryModule],
  controllers: [ExtractController, ClassifyController, AskController, PagesController],
  providers: [
    {
      provide: PageCache,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => new PageCache({ maxEntries: config.pageCacheMaxEntries, maxBytes: config.pageCacheMaxBytes }),
    },
    DocumentPipeline,
    ExtractService,
    ClassifyService,
    AskService,
  ],
  // Tuning scores its models through the same task runners.
  exports: [ExtractService, ClassifyService, AskService],
})
export class InferenceModule {}
