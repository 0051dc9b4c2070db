import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { RegistryService } from './registry.service';

class ModelSummaryDto {
  @ApiProperty({ example: 'funsd-extract-mpnet' }) id: string;
  @ApiProperty({ example: '1' }) version: string;
  @ApiProperty({ enum: ['extract', 'classify', 'ask'] }) task: string;
  @ApiProperty({ type: [String], example: ['O', 'B-QUESTION', 'I-QUESTION'] }) labels: string[];
  @ApiProperty({ example: 256, description: 'Tokens per window, special tokens included' }) maxLength: number;
  @ApiProperty({ example: 'cpu', description: 'ONNX Runtime execution provider the session runs on' }) executionProvider: string;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { f1: 0.79 } }) metrics: Record<string, unknown>;
  @ApiProperty({ description: 'The active version of its task: used when a request names no model' }) default: boolean;
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
        task: model.manifest.task,
        labels: model.manifest.labels,
        maxLength: model.manifest.maxLength,
        executionProvider: model.executionProvider,
        metrics: model.manifest.metrics,
        default: this.registry.isActive(model),
      })),
    };
  }
}
