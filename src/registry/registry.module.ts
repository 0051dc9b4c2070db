import { Module } from '@nestjs/common';
import { ModelModule } from '../model/model.module';
import { ModelsController } from './models.controller';
import { RegistryService } from './registry.service';

@Module({
  imports: [ModelModule],
  controllers: [ModelsController],
  providers: [RegistryService],
  exports: [RegistryService],
})
export class RegistryModule {}
