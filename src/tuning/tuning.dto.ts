import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsNotEmpty, IsNumber, IsOptional, IsString, Max, Min, ValidateNested } from 'class-validator';
import { DomainError } from '../common/domain-error';
import { AlignmentSpec, PRESETS, Preset, Schedule, SCHEDULES, Start, STARTS, TUNING_TASKS, TuningJobSpec, TuningTask } from './tuning-job';

/** Loss presets of trainer/src/aetnet_trainer/config.py (LOSS_PRESETS; docs/method.md §3.6). */
export const LOSS_PRESETS = ['paper', 'code-funsd', 'code-cord', 'task-only'] as const;

export class HyperparametersDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, description: 'Epochs the learning-rate schedule spans' })
  @IsOptional() @IsInt() @Min(1) @Max(100)
  epochs?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 100000, description: 'Stop after this many optimiser steps (0: publish the starting weights, e.g. to check a warm start)' })
  @IsOptional() @IsInt() @Min(0) @Max(100000)
  maxSteps?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 256 })
  @IsOptional() @IsInt() @Min(1) @Max(256)
  batchSize?: number;

  @ApiPropertyOptional({ minimum: 1e-7, maximum: 1e-2 })
  @IsOptional() @IsNumber() @Min(1e-7) @Max(1e-2)
  learningRate?: number;

  @ApiPropertyOptional({ minimum: 0 })
  @IsOptional() @IsInt() @Min(0) @Max(2 ** 31 - 1)
  seed?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 1, description: 'DITC momentum-distillation weight' })
  @IsOptional() @IsNumber() @Min(0) @Max(1)
  alpha?: number;
}

export class LossWeightsDto {
  @IsOptional() @IsNumber() @Min(0) @Max(100) task?: number;
  @IsOptional() @IsNumber() @Min(0) @Max(100) ditc?: number;
  @IsOptional() @IsNumber() @Min(0) @Max(100) imc?: number;
  @IsOptional() @IsNumber() @Min(0) @Max(100) glitc?: number;
  @IsOptional() @IsNumber() @Min(0) @Max(100) pita?: number;
}

/** Exactly one of preset, weights, plain (checked by toSpec). */
export class AlignmentDto {
  @ApiPropertyOptional({ enum: LOSS_PRESETS }) @IsOptional() @IsIn(LOSS_PRESETS)
  preset?: string;

  @ApiPropertyOptional({ type: LossWeightsDto }) @IsOptional() @ValidateNested() @Type(() => LossWeightsDto)
  weights?: LossWeightsDto;

  @ApiPropertyOptional({ description: 'Task loss only, no alignment encoders' }) @IsOptional() @IsBoolean()
  plain?: boolean;
}

export class CreateTuningJobDto {
  @ApiProperty() @IsString() @IsNotEmpty()
  datasetId: string;

  @ApiProperty({ enum: TUNING_TASKS }) @IsIn(TUNING_TASKS)
  task: TuningTask;

  @ApiPropertyOptional({ description: "A registry model id (default: the task's active model), or an absolute path to a local HF LayoutLMv3 directory (preset base)" })
  @IsOptional() @IsString() @IsNotEmpty()
  baseModel?: string;

  @ApiProperty({ enum: PRESETS }) @IsIn(PRESETS)
  preset: Preset;

  @ApiPropertyOptional({ enum: SCHEDULES, description: 'full (default): the preset\'s epochs, every layer trains; quick: 6 epochs, the word embeddings and lower half of the fusion frozen' })
  @IsOptional() @IsIn(SCHEDULES)
  schedule?: Schedule;

  @ApiPropertyOptional({ enum: STARTS, description: "warm (default): start from the base bundle's weights, which needs the preset it was trained with; cold: from the preset's initialisation" })
  @IsOptional() @IsIn(STARTS)
  start?: Start;

  @ApiPropertyOptional({ type: HyperparametersDto }) @IsOptional() @ValidateNested() @Type(() => HyperparametersDto)
  hyperparameters?: HyperparametersDto;

  @ApiPropertyOptional({ type: AlignmentDto, description: 'Default: {"preset": "code-funsd"}' })
  @IsOptional() @ValidateNested() @Type(() => AlignmentDto)
  alignment?: AlignmentDto;

  @ApiPropertyOptional({ maximum: 0.9, description: "Held-out fraction; must equal the dataset's (fixed at upload). Default: the dataset's" })
  @IsOptional() @IsNumber() @Min(0) @Max(0.9)
  evalSplit?: number;
}

function toAlignment(dto: AlignmentDto | undefined): AlignmentSpec {
  if (!dto) return { preset: 'code-funsd' };
  const given = [dto.preset !== undefined, dto.weights !== undefined, dto.plain !== undefined].filter(Boolean).length;
  if (given !== 1) throw new DomainError('VALIDATION_FAILED', 'alignment takes exactly one of preset, weights, plain');
  if (dto.preset !== undefined) return { preset: dto.preset };
  if (dto.plain !== undefined) {
    if (!dto.plain) throw new DomainError('VALIDATION_FAILED', 'alignment.plain can only be true');
    return { plain: true };
  }
  return { weights: { ...dto.weights } };
}

export function toSpec(dto: CreateTuningJobDto): TuningJobSpec {
  return {
    datasetId: dto.datasetId,
    task: dto.task,
    baseModel: dto.baseModel ?? '',
    preset: dto.preset,
    schedule: dto.schedule ?? 'full',
    start: dto.start ?? 'warm',
    hyperparameters: { ...dto.hyperparameters },
    alignment: toAlignment(dto.alignment),
    ...(dto.evalSplit === undefined ? {} : { evalSplit: dto.evalSplit }),
  };
}
