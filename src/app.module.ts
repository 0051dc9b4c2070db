import { DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from './auth/auth.module';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatasetsModule } from './datasets/datasets.module';
import { DocumentsModule } from './documents/documents.module';
import { HealthModule } from './health/health.module';
import { InferenceModule } from './inference/inference.module';
import { MetricsModule } from './metrics/metrics.module';
import { OcrModule } from './ocr/ocr.module';
import { RegistryModule } from './registry/registry.module';
import { StudioModule } from './studio/studio.module';
import { TuningModule } from './tuning/tuning.module';

@Module({})
export class AppModule {
  static forRoot(config: Readonly<AppConfig>): DynamicModule {
    return {
      module: AppModule,
      imports: [ConfigModule.forRoot(config), MetricsModule, DocumentsModule, OcrModule, RegistryModule, InferenceModule, HealthModule, AuthModule, DatasetsModule, TuningModule, StudioModule],
    };
  }
}
