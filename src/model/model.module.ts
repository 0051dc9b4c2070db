import { Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { InferencePool, threadWorkerFactory } from './inference-pool';

const logger = new Logger('InferencePool');

/** Owns the inference worker pool; workers are terminated when the app closes. */
@Module({
  providers: [
    {
      provide: InferencePool,
      inject: [AppConfig],
      useFactory: (config: AppConfig) =>
        new InferencePool({
          workers: config.inferenceWorkers,
          queueLimit: config.queueLimit,
          createWorker: threadWorkerFactory({ executionProviders: config.executionProviders, intraOpThreads: config.inferenceThreads }),
          log: { warn: (message) => logger.warn(message), error: (message) => logger.error(message) },
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
