import { Global, Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

/** Requests without a matching route share one label, so random URLs cannot grow the series without bound. */
const UNMATCHED_ROUTE = 'unmatched';

/**
 * GET /metrics, and per-route request counts and latencies from a Fastify hook (it sees every answer, 404s and
 * errors mapped by the global filter included). Global, so the inference pool and OCR can report into it.
 */
@Global()
@Module({ controllers: [MetricsController], providers: [MetricsService], exports: [MetricsService] })
export class MetricsModule implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
      this.metrics.observeHttp(route, request.method, reply.statusCode, reply.elapsedTime / 1000);
    });
  }
}
