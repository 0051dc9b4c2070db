import { Module } from '@nestjs/common';
import { DocumentsModule } from '../documents/documents.module';
import { ModelModule } from '../model/model.module';
import { OcrModule } from '../ocr/ocr.module';
import { RegistryModule } from '../registry/registry.module';
import { ExtractController } from './extract.controller';
import { ExtractService } from './extract.service';

/** The public inference endpoints. */
@Module({
  imports: [DocumentsModule, OcrModule, ModelModule, RegistryModule],
  controllers: [ExtractController],
  providers: [ExtractService],
})
export class InferenceModule {}
