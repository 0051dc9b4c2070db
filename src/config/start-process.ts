import { Logger } from '@nestjs/common';
import { AppConfig, ConfigError, loadAppConfig } from './app-config';

/**
 * Start-up shared by the entry points (main.ts for the service, tuning/worker-main.ts for a tuning worker): the
 * process's one read of the environment, then `start`. An invalid configuration ends the process with its
 * reasons and exit code 1; any other start-up failure is logged with its stack, also with exit code 1.
 */
export function startProcess(name: string, start: (config: Readonly<AppConfig>, logger: Logger) => Promise<void>): void {
  const logger = new Logger(name);
  const run = async () => start(readConfigOrExit(), logger);
  run().catch((error: unknown) => {
    logger.fatal('failed to start', error instanceof Error ? error.stack : String(error));
    process.exit(1);
  });
}

function readConfigOrExit(): Readonly<AppConfig> {
  try {
    return loadAppConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}
