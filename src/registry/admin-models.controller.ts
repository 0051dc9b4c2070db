import { Controller, Delete, Get, HttpCode, Param, Post, StreamableFile, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { AdminGuard } from '../auth/admin.guard';
import { DomainError } from '../common/domain-error';
import { openBundleArchive } from './bundle-archive';
import { MODEL_TASKS, ModelTask } from './bundle-manifest';
import { RegistryService, ModelVersion } from './registry.service';

class ModelVersionDto {
  @ApiProperty({ example: 'funsd-extract-tuned-20240501' }) id: string;
  @ApiProperty({ example: '1' }) version: string;
  @ApiProperty({ enum: MODEL_TASKS }) task: string;
  @ApiProperty({ description: 'Serves requests that name no model' }) active: boolean;
  @ApiProperty({ enum: ['shipped', 'tuned'], description: 'shipped versions are read-only' }) source: 'shipped' | 'tuned';
  @ApiProperty({ example: '2024-05-01T12:00:00.000Z' }) createdAt: string;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { f1: 0.79 } }) metrics: Record<string, unknown>;
  @ApiProperty({ type: [String] }) labels: string[];
  @ApiProperty({ example: 'cpu' }) executionProvider: string;
}

class TaskVersionsDto {
  @ApiProperty({ enum: MODEL_TASKS }) task: string;
  @ApiProperty({ nullable: true, type: String, description: 'Id of the active version' }) active: string | null;
  @ApiProperty({ type: [ModelVersionDto], description: 'Oldest first' }) versions: ModelVersionDto[];
}

class ModelVersionListDto {
  @ApiProperty({ type: [TaskVersionsDto] }) tasks: TaskVersionsDto[];
}

function toDto({ model, active }: ModelVersion): ModelVersionDto {
  return {
    id: model.id,
    version: model.manifest.version,
    task: model.manifest.task,
    active,
    source: model.shipped ? 'shipped' : 'tuned',
    createdAt: model.createdAt,
    metrics: model.manifest.metrics,
    labels: model.manifest.labels,
    executionProvider: model.executionProvider,
  };
}

/** Model versions: list, hot swap, rollback, delete, download. Publishing happens through tuning jobs. */
@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('admin/models')
export class AdminModelsController {
  constructor(private readonly registry: RegistryService) {}

  @Get()
  @ApiOperation({ summary: 'Versions per task and which one is active' })
  @ApiOkResponse({ type: ModelVersionListDto })
  list(): ModelVersionListDto {
    const tasks = new Map<string, TaskVersionsDto>();
    for (const version of this.registry.versions()) {
      const task = version.model.manifest.task;
      const group = tasks.get(task) ?? { task, active: null, versions: [] };
      if (version.active) group.active = version.model.id;
      group.versions.push(toDto(version));
      tasks.set(task, group);
    }
    return { tasks: [...tasks.values()] };
  }

  @Post(':id/activate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Hot swap: new requests use this version; requests in flight finish on the old one' })
  @ApiOkResponse({ type: ModelVersionDto })
  async activate(@Param('id') id: string): Promise<ModelVersionDto> {
    return toDto({ model: await this.registry.activate(id), active: true });
  }

  @Post(':task/rollback')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reactivate the previous active version of the task (409 NO_PREVIOUS_VERSION without one)' })
  @ApiOkResponse({ type: ModelVersionDto })
  async rollback(@Param('task') task: string): Promise<ModelVersionDto> {
    if (!MODEL_TASKS.includes(task as ModelTask)) {
      throw new DomainError('INVALID_REQUEST', `task must be one of ${MODEL_TASKS.join(', ')}`, { task });
    }
    return toDto({ model: await this.registry.rollback(task as ModelTask), active: true });
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a tuned version (409 MODEL_ACTIVE for the active one, MODEL_READ_ONLY for shipped ones)' })
  @ApiNoContentResponse()
  async remove(@Param('id') id: string): Promise<void> {
    await this.registry.remove(id);
  }

  @Get(':id/bundle')
  @ApiOperation({ summary: 'Download the bundle as a tar archive (<id>/manifest.json, model.onnx, …)' })
  @ApiOkResponse({ content: { 'application/x-tar': { schema: { type: 'string', format: 'binary' } } } })
  async download(@Param('id') id: string): Promise<StreamableFile> {
    const { stream, length } = await openBundleArchive(this.registry.bundleDir(id), id);
    return new StreamableFile(stream, { type: 'application/x-tar', disposition: `attachment; filename="${id}.tar"`, length });
  }
}
