import { Body, Controller, Get, HttpCode, Param, Post, Query, Res, UseGuards, ValidationPipe } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AdminGuard } from '../auth/admin.guard';
import { DomainError } from '../common/domain-error';
import { formatSse, jobEvents } from './job-events';
import { CreateTuningJobDto, toSpec } from './tuning.dto';
import { TuningService } from './tuning.service';
import { TuningJob } from './tuning-job';
import type { CurvePoint } from './training-log';

const validation = new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true });
const SSE_POLL_MS = 500;
const SSE_HEARTBEAT_MS = 15_000;
const DEFAULT_LOG_LINES = 200;
const MAX_LOG_LINES = 10_000;
const DEFAULT_CURVE_POINTS = 500;
const MAX_CURVE_POINTS = 5_000;

@ApiTags('admin: tuning')
@ApiBearerAuth()
@UseGuards(AdminGuard)
@Controller('admin/tuning-jobs')
export class TuningController {
  constructor(private readonly tuning: TuningService) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({ summary: 'Start a tuning job (queued; a bounded number run at once)' })
  @ApiAcceptedResponse({ description: 'The job; Location: /admin/tuning-jobs/{id}' })
  @ApiResponse({ status: 404, description: 'DATASET_NOT_FOUND or MODEL_NOT_FOUND' })
  @ApiResponse({ status: 422, description: "TASK_MISMATCH: the dataset's task differs" })
  async create(@Body(validation) body: CreateTuningJobDto, @Res({ passthrough: true }) reply: FastifyReply): Promise<TuningJob> {
    const job = await this.tuning.create(toSpec(body));
    void reply.header('location', `/admin/tuning-jobs/${job.id}`);
    return job;
  }

  @Get()
  @ApiOkResponse({ description: 'Every job, newest first' })
  async list(): Promise<{ jobs: TuningJob[] }> {
    return { jobs: await this.tuning.list() };
  }

  @Get(':id')
  @ApiOkResponse({ description: 'State, stage, progress (percent, epoch/step, ETA, loss terms), evaluation, model id' })
  get(@Param('id') id: string): Promise<TuningJob> {
    return this.tuning.get(id);
  }

  @Get(':id/events')
  @ApiProduces('text/event-stream')
  @ApiOperation({ summary: 'Server-sent events: `progress` (the job as JSON) on every change, `done` at the end' })
  async events(@Param('id') id: string, @Res() reply: FastifyReply): Promise<void> {
    await this.tuning.get(id);
    const closed = new AbortController();
    reply.hijack();
    const response = reply.raw;
    response.on('close', () => closed.abort());
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    for await (const event of jobEvents(() => this.tuning.find(id), { pollMs: SSE_POLL_MS, heartbeatMs: SSE_HEARTBEAT_MS }, closed.signal)) {
      response.write(formatSse(event));
    }
    response.end();
  }

  @Get(':id/logs')
  @ApiProduces('text/plain')
  @ApiQuery({ name: 'tail', required: false, description: `Last lines of the trainer output (default ${DEFAULT_LOG_LINES})` })
  async logs(@Param('id') id: string, @Query('tail') tail: string | undefined, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const lines = tail === undefined ? DEFAULT_LOG_LINES : Number(tail);
    if (!Number.isInteger(lines) || lines < 1 || lines > MAX_LOG_LINES) {
      throw new DomainError('VALIDATION_FAILED', `tail must be an integer in [1, ${MAX_LOG_LINES}]`);
    }
    void reply.header('content-type', 'text/plain; charset=utf-8');
    return this.tuning.logs(id, lines);
  }

  @Get(':id/curves')
  @ApiOperation({ summary: 'Loss terms and learning rate per step so far, thinned to at most `points`; the SSE stream brings the latest values after' })
  @ApiQuery({ name: 'points', required: false, description: `Most points returned (default ${DEFAULT_CURVE_POINTS})` })
  async curves(@Param('id') id: string, @Query('points') points: string | undefined): Promise<{ points: CurvePoint[] }> {
    const maxPoints = points === undefined ? DEFAULT_CURVE_POINTS : Number(points);
    if (!Number.isInteger(maxPoints) || maxPoints < 2 || maxPoints > MAX_CURVE_POINTS) {
      throw new DomainError('VALIDATION_FAILED', `points must be an integer in [2, ${MAX_CURVE_POINTS}]`);
    }
    return { points: await this.tuning.curves(id, maxPoints) };
  }

  @Post(':id/cancel')
  @HttpCode(202)
  @ApiAcceptedResponse({ description: 'Cancelled (waiting job) or being cancelled (running job)' })
  @ApiResponse({ status: 409, description: 'JOB_NOT_CANCELLABLE: finished or already cancelled' })
  cancel(@Param('id') id: string): Promise<TuningJob> {
    return this.tuning.cancel(id);
  }
}
