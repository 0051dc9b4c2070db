import { Module } from '@nestjs/common';
import { DatasetsModule } from '../datasets/datasets.module';
import { DatasetsService } from '../datasets/datasets.service';
import { AskService } from '../inference/ask.service';
import { ClassifyService } from '../inference/classify.service';
import { ExtractService } from '../inference/extract.service';
import { InferenceModule } from '../inference/inference.module';
import { ModelModule } from '../model/model.module';
import { RegistryModule } from '../registry/registry.module';
import { RegistryService } from '../registry/registry.service';
import { TuningController } from './tuning.controller';
import { TuningService } from './tuning.service';
import { TaskRunners } from './service-evaluation';
import { TUNING_DATASETS, TUNING_REGISTRY, TUNING_RUNNERS } from './tuning-ports';

@Module({
  imports: [DatasetsModule, RegistryModule, ModelModule, InferenceModule],
  controllers: [TuningController],
  providers: [
    TuningService,
    { provide: TUNING_DATASETS, useExisting: DatasetsService },
    { provide: TUNING_REGISTRY, useExisting: RegistryService },
    {
      provide: TUNING_RUNNERS,
      inject: [ExtractService, ClassifyService, AskService],
      useFactory: (extract: ExtractService, classify: ClassifyService, ask: AskService): TaskRunners => ({ extract, classify, ask }),
    },
  ],
})
export class TuningModule {}
