import { Module } from '@nestjs/common';
import { ModelModule } from '../model/model.module';
import { AdminModelsController } from './admin-models.controller';
import { ModelsController } from './models.controller';
import { RegistryService } from './registry.service';

@Module({
  imports: [ModelModule],
  controllers: [ModelsController, AdminModelsController],
  providers: [RegistryService],
  exports: [RegistryService],
})
export class RegistryModule {}
