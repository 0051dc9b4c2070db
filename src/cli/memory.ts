import { resolve } from 'node:path';
import { ASK_QUESTIONS_PER_PAGE, benchUpload, loadBenchPages } from '../bench/bench-workload';
import { MemoryArgs, parseMemoryArgs } from '../evaluation/cli-args';
import { processRssMib, startServiceProcess } from '../bench/serving-memory';
import { ServiceClient } from '../evaluation/service-client';

/**
 * `memory`: resident memory of the service as its own process (`node dist/src/main.js`, shipped models): when
 * ready, after one request has loaded the endpoint's model (idle), and after N more requests on FUNSD test pages
 * (model-only: the pages' words are sent, so OCR workers stay out of the number). See docs/evaluation.md.
 */

const REPO_ROOT = resolve(__dirname, '..', '..', '..');
const log = (line: string) => process.stderr.write(`memory: ${line}\n`);

async function measure(args: MemoryArgs): Promise<string[]> {
  const pages = await loadBenchPages(args.funsdDir, args.pages);
  if (pages.length === 0) throw new Error(`no FUNSD test pages under ${args.funsdDir}`);
  // ask: the page's own FUNSD-QA questions as they are (the bench cuts them to the model's limit with the
  // in-process registry, which a separate service process does not expose).
  const questions = pages.map((page) => page.questions.slice(0, ASK_QUESTIONS_PER_PAGE));
  const service = await startServiceProcess(resolve(REPO_ROOT, 'dist', 'src', 'main.js'), { LOG_LEVEL: 'warn', ...process.env, AETNET_PAGE_CACHE_MAX_ENTRIES: '0' });
  try {
    const pid = service.child.pid as number;
    const models = await service.client.models();
    const served = args.endpoints.map((endpoint) => `${endpoint}: ${models.filter((model) => model.defaultFor.includes(endpoint)).map((model) => `${model.id}@${model.version}`).join(', ') || 'none'}`);
    const send = async (client: ServiceClient, index: number) => {
      const page = pages[index % pages.length];
      const endpoint = args.endpoints[index % args.endpoints.length];
      const reply = await client.post(endpoint, benchUpload(endpoint, page, true, questions[index % pages.length]));
      if (reply.status !== 200) throw new Error(`POST /v1/${endpoint} → ${reply.status}: ${JSON.stringify(reply.body).slice(0, 300)}`);
    };
    const ready = await processRssMib(pid);
    // One request per endpoint first: every model they use is loaded and has run once.
    for (let i = 0; i < args.endpoints.length; i++) await send(service.client, i);
    const loaded = await processRssMib(pid);
    log(`ready ${ready.toFixed(0)} MiB, model loaded ${loaded.toFixed(0)} MiB; sending ${args.requests} requests`);
    let peak = loaded;
    for (let i = 1; i <= args.requests; i += 1) {
      await send(service.client, args.endpoints.length + i - 1);
      peak = Math.max(peak, await processRssMib(pid));
    }
    const after = await processRssMib(pid);
    return [
      `serving memory (VmRSS of the service process), ${args.endpoints.map((e) => `/v1/${e}`).join(' + ')} model-only (client words), ${pages.length} FUNSD test pages; served by ${served.join('; ')}`,
      `all loaded bundles: ${models.map((model) => `${model.id} (${model.tasks.join(', ')})`).join(', ')}`,
      '| state | RSS MiB |',
      '| --- | ---: |',
      `| ready, no request yet | ${ready.toFixed(0)} |`,
      `| after ${args.endpoints.length} request(s), one per endpoint (models loaded), idle | ${loaded.toFixed(0)} |`,
      `| after ${args.requests} more requests, idle | ${after.toFixed(0)} |`,
      `| peak during the ${args.requests} requests | ${peak.toFixed(0)} |`,
    ];
  } finally {
    await service.stop();
  }
}

async function main(argv: string[]): Promise<number> {
  let args: MemoryArgs;
  try {
    args = parseMemoryArgs(argv, REPO_ROOT);
  } catch (error) {
    process.stderr.write(`memory: ${(error as Error).message}\n`);
    return 2;
  }
  try {
    process.stdout.write(`${(await measure(args)).join('\n')}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`memory: failed: ${(error as Error).message}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code));
