import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig } from './app-config';

/** Provides the one validated AppConfig instance (built in main.ts / tests) to every module. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: Readonly<AppConfig>): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: AppConfig, useValue: config }], exports: [AppConfig] };
  }
}
