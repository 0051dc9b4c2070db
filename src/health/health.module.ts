import { Module } from '@nestjs/common';
import { OcrModule } from '../ocr/ocr.module';
import { RegistryModule } from '../registry/registry.module';
import { HealthController } from './health.controller';

@Module({ imports: [RegistryModule, OcrModule], controllers: [HealthController] })
export class HealthModule {}
