import { Module } from '@nestjs/common';
import { DatasetsModule } from '../datasets/datasets.module';
import { DatasetsService } from '../datasets/datasets.service';
import { ModelModule } from '../model/model.module';
import { RegistryModule } from '../registry/registry.module';
import { RegistryService } from '../registry/registry.service';
import { TuningController } from './tuning.controller';
import { TuningService } from './tuning.service';
import { TUNING_DATASETS, TUNING_REGISTRY } from './tuning-ports';

@Module({
  imports: [DatasetsModule, RegistryModule, ModelModule],
  controllers: [TuningController],
  providers: [
    TuningService,
    { provide: TUNING_DATASETS, useExisting: DatasetsService },
    { provide: TUNING_REGISTRY, useExisting: RegistryService },
  ],
})
export class TuningModule {}
