import { createApp } from './app.factory';
import { startProcess } from './config/start-process';

startProcess('aetnet', async (config, logger) => {
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  logger.log(`listening on ${await app.getUrl()} (API docs at /docs)`);
});
