import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { AppConfig, ConfigError, loadAppConfig } from './config/app-config';

function readConfig(): Readonly<AppConfig> {
  try {
    // The only place the environment is read.
    return loadAppConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  new Logger('aetnet').log(`listening on ${await app.getUrl()} (API docs at /docs)`);
}

main().catch((error: unknown) => {
  new Logger('aetnet').fatal('failed to start', error instanceof Error ? error.stack : String(error));
  process.exit(1);
});
