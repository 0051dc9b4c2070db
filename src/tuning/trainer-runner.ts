import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The trainer adapter: the only code that starts processes. Each step (train, export) runs as
 * `<python> -m aetnet_trainer.<step>` in its own process group, so cancelling kills the step and anything it
 * started (data-loader workers, torchrun ranks). Output goes straight to the job's log file, not through Node,
 * so the log stays complete even if the service dies first.
 */

export interface TrainerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface TrainerProcess {
  pid: number;
  exited: Promise<TrainerExit>;
}

export interface TrainerCommand {
  pythonPath: string;
  trainerDir: string;
  args: string[];
  logPath: string;
}

export function startTrainerProcess(command: TrainerCommand): Promise<TrainerProcess> {
  const log = openSync(command.logPath, 'a');
  try {
    const child = spawn(command.pythonPath, command.args, {
      cwd: command.trainerDir,
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...process.env, PYTHONPATH: join(command.trainerDir, 'src'), PYTHONUNBUFFERED: '1' },
    });
    const exited = new Promise<TrainerExit>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    return new Promise((resolve, reject) => {
      child.once('spawn', () => resolve({ pid: child.pid as number, exited }));
      child.once('error', reject);
    });
  } finally {
    closeSync(log);
  }
}

/** Signals the whole process group; a group that is already gone is fine. */
export function signalProcessGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** TERM, then KILL if the group has not exited within `graceMs`. */
export async function stopTrainerProcess(trainer: TrainerProcess, graceMs = 5000): Promise<TrainerExit> {
  signalProcessGroup(trainer.pid, 'SIGTERM');
  const timer = setTimeout(() => signalProcessGroup(trainer.pid, 'SIGKILL'), graceMs);
  try {
    return await trainer.exited;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Kills a trainer left behind by a service that died without stopping it (its group outlives the service). The
 * pid is only trusted while its command line still names the trainer, so a recycled pid is never signalled.
 */
export async function killOrphanedTrainer(pid: number): Promise<boolean> {
  const commandLine = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (!commandLine.includes('aetnet_trainer')) return false;
  signalProcessGroup(pid, 'SIGKILL');
  return true;
}
