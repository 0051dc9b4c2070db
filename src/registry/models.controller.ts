import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { bundleTasks, taskHead } from './bundle-manifest';
import { RegistryService } from './registry.service';

class ModelSummaryDto {
  @ApiProperty({ example: 'funsd-extract-mpnet' }) id: string;
  @ApiProperty({ example: '1' }) version: string;
  @ApiProperty({ type: [String], example: ['extract', 'ask', 'classify'], description: 'The tasks the bundle serves (one head each)' }) tasks: string[];
  @ApiProperty({ type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } }, example: { extract: ['O', 'B-QUESTION', 'I-QUESTION'], ask: [] }, description: 'Labels per task (ask predicts spans: none)' })
  labels: Record<string, string[]>;
  @ApiProperty({ example: 256, description: 'Tokens per window, special tokens included' }) maxLength: number;
  @ApiProperty({ example: 'cpu', description: 'ONNX Runtime execution provider the session runs on' }) executionProvider: string;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { f1: 0.79 } }) metrics: Record<string, unknown>;
  @ApiProperty({ type: [String], description: 'The tasks this bundle is the active version of: used when a request names no model' }) defaultFor: string[];
}

class ModelListDto {
  @ApiProperty({ type: [ModelSummaryDto] }) models: ModelSummaryDto[];
}

@ApiTags('models')
@Controller('v1/models')
export class ModelsController {
  constructor(private readonly registry: RegistryService) {}

  @Get()
  @ApiOkResponse({ type: ModelListDto, description: 'Installed model bundles' })
  list(): ModelListDto {
    return {
      models: this.registry.list().map((model) => ({
        id: model.id,
        version: model.manifest.version,
        tasks: bundleTasks(model.manifest),
        labels: Object.fromEntries(bundleTasks(model.manifest).map((task) => [task, taskHead(model.manifest, task).labels])),
        maxLength: model.manifest.maxLength,
        executionProvider: model.executionProvider,
        metrics: model.manifest.metrics,
        defaultFor: this.registry.activeTasks(model),
      })),
    };
  }
}
