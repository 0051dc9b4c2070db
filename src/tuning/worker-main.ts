import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module';
import { AppConfig, ConfigError, loadAppConfig } from '../config/app-config';

/**
 * A tuning worker without the HTTP API (e.g. on a GPU host): `REDIS_URL=… AETNET_DATA_DIR=<shared> node
 * dist/src/tuning/worker-main.js`. It takes jobs from the shared BullMQ queue and publishes into the shared
 * registry directory, which the API replicas pick up.
 */
function readConfig(): Readonly<AppConfig> {
  try {
    // The worker's one read of the environment, as main.ts for the service.
    return loadAppConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  if (!config.redisUrl) {
    console.error('worker-main needs REDIS_URL: without it, jobs run inside the service (in-process queue)');
    process.exit(1);
  }
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: ['fatal', 'error', 'warn', 'log'] });
  app.enableShutdownHooks();
  new Logger('aetnet-worker').log(`taking tuning jobs from ${config.jobQueueName} (${config.maxConcurrentJobs} at once)`);
}

main().catch((error: unknown) => {
  new Logger('aetnet-worker').fatal('failed to start', error instanceof Error ? error.stack : String(error));
  process.exit(1);
});
