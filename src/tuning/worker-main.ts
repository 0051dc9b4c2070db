import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module';
import { startProcess } from '../config/start-process';

/**
 * A tuning worker without the HTTP API (e.g. on a GPU host): `REDIS_URL=… AETNET_DATA_DIR=<shared> node
 * dist/src/tuning/worker-main.js`. It takes jobs from the shared BullMQ queue and publishes into the shared
 * registry directory, which the API replicas pick up.
 */
startProcess('aetnet-worker', async (config, logger) => {
  if (!config.redisUrl) {
    console.error('worker-main needs REDIS_URL: without it, jobs run inside the service (in-process queue)');
    process.exit(1);
  }
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: ['fatal', 'error', 'warn', 'log'] });
  app.enableShutdownHooks();
  logger.log(`taking tuning jobs from ${config.jobQueueName} (${config.maxConcurrentJobs} at once)`);
});
