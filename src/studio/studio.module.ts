import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { StudioAssets } from './studio-assets';
import { StudioController } from './studio.controller';

/** The Studio web page, served by the service itself: it calls the same public and admin API as any client. */
@Module({
  controllers: [StudioController],
  providers: [{ provide: StudioAssets, inject: [AppConfig], useFactory: (config: AppConfig) => new StudioAssets(config.studioDir) }],
})
export class StudioModule {}
