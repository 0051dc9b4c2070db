import { Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { InferencePool, threadWorkerFactory } from './inference-pool';

const logger = new Logger('InferencePool');

/** Owns the inference worker pool; workers are terminated when the app closes. */
@Module({
  providers: [
    {
      provide: InferencePool,
      // Metrics are optional: a test may boot a smaller app without MetricsModule.
      inject: [AppConfig, { token: MetricsService, optional: true }],
      useFactory: (config: AppConfig, metrics?: MetricsService) =>
        new InferencePool({
          workers: config.inferenceWorkers,
          queueLimit: config.queueLimit,
          batchMaxSize: config.batchMaxSize,
          batchMaxWaitMs: config.batchMaxWaitMs,
          queueTimeoutMs: config.queueTimeoutMs,
          createWorker: threadWorkerFactory({ executionProviders: config.executionProviders, intraOpThreads: config.inferenceThreads }),
          log: { warn: (message) => logger.warn(message), error: (message) => logger.error(message) },
          observer: metrics,
        }),
    },
  ],
  exports: [InferencePool],
})
export class ModelModule implements OnApplicationShutdown {
  constructor(private readonly pool: InferencePool) {}

  async onApplicationShutdown(): Promise<void> {
    await this.pool.shutdown();
  }
}
