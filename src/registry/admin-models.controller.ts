import { Controller, Delete, Get, HttpCode, Param, Post, Query, StreamableFile, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AdminGuard } from '../auth/admin.guard';
import { DomainError } from '../common/domain-error';
import { openBundleArchive } from './bundle-archive';
import { bundleTasks, MODEL_TASKS, ModelTask, taskHead } from './bundle-manifest';
import { RegistryService, ModelVersion } from './registry.service';

class ModelVersionDto {
  @ApiProperty({ example: 'funsd-extract-tuned-20240501' }) id: string;
  @ApiProperty({ example: '1' }) version: string;
  @ApiProperty({ enum: MODEL_TASKS, description: 'The task this entry is listed under' }) task: string;
  @ApiProperty({ type: [String], description: 'Every task the bundle serves (one head each)' }) tasks: string[];
  @ApiProperty({ description: 'Serves requests for `task` that name no model' }) active: boolean;
  @ApiProperty({ type: [String], description: 'The tasks it is the active version of' }) activeFor: string[];
  @ApiProperty({ enum: ['shipped', 'tuned'], description: 'shipped versions are read-only' }) source: 'shipped' | 'tuned';
  @ApiProperty({ example: '2024-05-01T12:00:00.000Z' }) createdAt: string;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { f1: 0.79 } }) metrics: Record<string, unknown>;
  @ApiProperty({ type: [String], description: "The labels of `task`'s head" }) labels: string[];
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

function toDto({ model, activeFor }: ModelVersion, task: ModelTask): ModelVersionDto {
  return {
    id: model.id,
    version: model.manifest.version,
    task,
    tasks: bundleTasks(model.manifest),
    active: activeFor.includes(task),
    activeFor,
    source: model.shipped ? 'shipped' : 'tuned',
    createdAt: model.createdAt,
    metrics: model.manifest.metrics,
    labels: taskHead(model.manifest, task).labels,
    executionProvider: model.executionProvider,
  };
}

function parseTask(task: string): ModelTask {
  if (!MODEL_TASKS.includes(task as ModelTask)) {
    throw new DomainError('INVALID_REQUEST', `task must be one of ${MODEL_TASKS.join(', ')}`, { task });
  }
  return task as ModelTask;
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
    const tasks: TaskVersionsDto[] = [];
    for (const task of MODEL_TASKS) {
      const versions = this.registry.versions(task);
      if (versions.length === 0) continue;
      const active = versions.find((version) => version.activeFor.includes(task));
      tasks.push({ task, active: active?.model.id ?? null, versions: versions.map((version) => toDto(version, task)) });
    }
    return { tasks };
  }

  @Post(':id/activate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Hot swap: new requests use this version (for `task`, or every task it serves); requests in flight finish on the old one' })
  @ApiQuery({ name: 'task', required: false, enum: MODEL_TASKS })
  @ApiOkResponse({ type: ModelVersionDto })
  async activate(@Param('id') id: string, @Query('task') task?: string): Promise<ModelVersionDto> {
    const only = task === undefined ? undefined : parseTask(task);
    const model = await this.registry.activate(id, only);
    return toDto({ model, activeFor: this.registry.activeTasks(model) }, only ?? bundleTasks(model.manifest)[0]);
  }

  @Post(':task/rollback')
  @HttpCode(200)
  @ApiOperation({ summary: 'Reactivate the previous active version of the task (409 NO_PREVIOUS_VERSION without one)' })
  @ApiOkResponse({ type: ModelVersionDto })
  async rollback(@Param('task') task: string): Promise<ModelVersionDto> {
    const model = await this.registry.rollback(parseTask(task));
    return toDto({ model, activeFor: this.registry.activeTasks(model) }, task as ModelTask);
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
