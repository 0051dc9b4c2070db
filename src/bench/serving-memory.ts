import { ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ServiceClient } from '../evaluation/service-client';

/**
 * The service as its own process, for `memory`: resident memory is only meaningful for a process that holds
 * nothing but the service (the bench and eval run it in-process next to their own data).
 */

/** VmRSS of a /proc/<pid>/status text, in MiB; the kernel reports kB (KiB). */
export function parseRssMib(status: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error('no VmRSS line in the process status');
  return Number(match[1]) / 1024;
}

export async function processRssMib(pid: number): Promise<number> {
  return parseRssMib(await readFile(`/proc/${pid}/status`, 'utf8'));
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface ServiceProcess {
  child: ChildProcess;
  client: ServiceClient;
  stop(): Promise<void>;
}

/** Starts `node <entry>` on a free loopback port and waits until /health/ready answers 200 (or fails). */
export async function startServiceProcess(entry: string, env: NodeJS.ProcessEnv, readyTimeoutMs = 180_000): Promise<ServiceProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [entry], { env: { ...env, PORT: String(port), HOST: '127.0.0.1' }, stdio: ['ignore', 'ignore', 'inherit'] });
  let exited = false;
  child.once('exit', () => (exited = true));
  const client = ServiceClient.connect(`http://127.0.0.1:${port}`);
  const stop = async () => {
    if (exited) return;
    const done = new Promise((resolveExit) => child.once('exit', resolveExit));
    child.kill('SIGTERM');
    await Promise.race([done, sleep(10_000).then(() => child.kill('SIGKILL'))]);
  };
  const deadline = Date.now() + readyTimeoutMs;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`the service exited with code ${child.exitCode} before it was ready`);
    const ready = await client.get('/health/ready').catch(() => undefined);
    if (ready?.status === 200) return { child, client, stop };
    await sleep(250);
  }
  await stop();
  throw new Error(`the service was not ready within ${readyTimeoutMs} ms`);
}
