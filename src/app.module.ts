import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DocumentsModule } from './documents/documents.module';
import { HealthModule } from './health/health.module';
import { InferenceModule } from './inference/inference.module';
import { OcrModule } from './ocr/ocr.module';
import { RegistryModule } from './registry/registry.module';

@Module({})
export class AppModule {
  static forRoot(config: Readonly<AppConfig>): DynamicModule {
    return {
      module: AppModule,
      imports: [ConfigModule.forRoot(config), DocumentsModule, OcrModule, RegistryModule, InferenceModule, HealthModule],
    };
  }
}
