import { Controller, Delete, Get, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AdminGuard } from '../auth/admin.guard';
import { DatasetRecord } from './dataset-types';
import { DatasetsService } from './datasets.service';

@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@ApiResponse({ status: 401, description: 'UNAUTHORIZED: no or invalid Bearer key' })
@ApiResponse({ status: 403, description: 'FORBIDDEN: an inference key' })
@ApiResponse({ status: 503, description: 'ADMIN_DISABLED: AETNET_ADMIN_KEY is not set' })
@Controller('admin/datasets')
export class DatasetsController {
  constructor(private readonly datasets: DatasetsService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Upload a labelled dataset (zip)',
    description:
      'Multipart: `file` (zip), `format` (funsd | jsonl | folders), `task` (extract | classify | ask), optional `name` and ' +
      '`evalSplit` (held-out fraction, default 0.2; FUNSD training_data/testing_data folders win). Answers with the validation report.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file', 'format', 'task'],
      properties: {
        file: { type: 'string', format: 'binary' },
        format: { type: 'string', enum: ['funsd', 'jsonl', 'folders'] },
        task: { type: 'string', enum: ['extract', 'classify', 'ask'] },
        name: { type: 'string' },
        evalSplit: { type: 'number' },
      },
    },
  })
  @ApiResponse({ status: 201, description: 'The stored dataset with its report' })
  @ApiResponse({ status: 413, description: 'PAYLOAD_TOO_LARGE or ZIP_BOMB' })
  @ApiResponse({ status: 422, description: 'DATASET_INVALID (with the report), ZIP_UNSAFE_ENTRY, ZIP_UNREADABLE' })
  upload(@Req() request: FastifyRequest): Promise<DatasetRecord> {
    return this.datasets.upload(request);
  }

  @Get()
  @ApiOperation({ summary: 'List datasets' })
  async list(): Promise<{ datasets: DatasetRecord[] }> {
    return { datasets: await this.datasets.list() };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One dataset with its report' })
  @ApiResponse({ status: 404, description: 'DATASET_NOT_FOUND' })
  get(@Param('id') id: string): Promise<DatasetRecord> {
    return this.datasets.get(id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a dataset' })
  @ApiResponse({ status: 404, description: 'DATASET_NOT_FOUND' })
  @ApiResponse({ status: 409, description: 'DATASET_IN_USE: a running tuning job uses it' })
  async remove(@Param('id') id: string): Promise<void> {
    await this.datasets.remove(id);
  }
}
