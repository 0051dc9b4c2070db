import { MessagePort, parentPort, workerData } from 'node:worker_threads';
import { Feeds, mergeFeeds, splitOutputs } from './batch-tensors';
import { createModelSession, ModelSession, SessionOptions } from './onnx-session';

/**
 * Entry of one inference worker thread. ORT's run blocks the thread it is called on, so every session lives
 * here, keyed by model path; the pool sends one job at a time. A run job carries a batch of requests, which
 * are padded into one forward pass here (off the event loop) and split back per request.
 */

export interface InferenceWorkerData {
  sessionOptions: SessionOptions;
}

export type WorkerRequest =
  | { type: 'load'; jobId: number; modelPath: string }
  | { type: 'run'; jobId: number; modelPath: string; requests: Feeds[]; padValues: Record<string, number> }
  /** Frees the session's memory; not a job (no reply). A later load or run of the path creates it again. */
  | { type: 'release'; modelPath: string };

export interface LoadedModel {
  executionProvider: string;
  /** Providers that failed before `executionProvider` loaded, "<provider>: <reason>". */
  providerFailures: string[];
  inputNames: string[];
  outputNames: string[];
}

export type WorkerReply =
  | ({ type: 'loaded'; jobId: number } & LoadedModel)
  /** One entry per request of the batch, in order. */
  | { type: 'result'; jobId: number; outputs: Feeds[] }
  | { type: 'failed'; jobId: number; phase: 'load' | 'run'; message: string }
  | { type: 'warning'; message: string };

if (!parentPort) throw new Error('inference-worker.js must be started as a worker thread');
const port: MessagePort = parentPort;
const { sessionOptions } = workerData as InferenceWorkerData;
const sessions = new Map<string, Promise<ModelSession>>();

function sessionFor(modelPath: string): Promise<ModelSession> {
  let session = sessions.get(modelPath);
  if (!session) {
    session = createModelSession(modelPath, sessionOptions, (message) => port.postMessage({ type: 'warning', message }));
    sessions.set(modelPath, session);
    // A failed load is not cached, so a fixed file can be loaded later.
    session.catch(() => sessions.delete(modelPath));
  }
  return session;
}

async function release(modelPath: string): Promise<void> {
  const session = sessions.get(modelPath);
  if (!session) return;
  sessions.delete(modelPath);
  try {
    await (await session).release();
  } catch (error) {
    reply({ type: 'warning', message: `could not release the session of ${modelPath}: ${(error as Error).message}` });
  }
}

async function handle(request: Exclude<WorkerRequest, { type: 'release' }>): Promise<void> {
  let session: ModelSession;
  try {
    session = await sessionFor(request.modelPath);
  } catch (error) {
    reply({ type: 'failed', jobId: request.jobId, phase: 'load', message: (error as Error).message });
    return;
  }
  if (request.type === 'load') {
    const { executionProvider, providerFailures, inputNames, outputNames } = session;
    reply({ type: 'loaded', jobId: request.jobId, executionProvider, providerFailures: [...providerFailures], inputNames: [...inputNames], outputNames: [...outputNames] });
    return;
  }
  try {
    const outputs = await runBatch(session, request.requests, request.padValues);
    const buffers = outputs.flatMap((pieces) => Object.values(pieces).map((tensor) => tensor.data.buffer as ArrayBuffer));
    reply({ type: 'result', jobId: request.jobId, outputs }, [...new Set(buffers)]);
  } catch (error) {
    reply({ type: 'failed', jobId: request.jobId, phase: 'run', message: (error as Error).message });
  }
}

async function runBatch(session: ModelSession, requests: Feeds[], padValues: Record<string, number>): Promise<Feeds[]> {
  // A lone request needs no copy into a batch.
  if (requests.length === 1) return [await session.run(requests[0])];
  const batch = mergeFeeds(requests, { sequenceInputs: session.sequenceInputs, padValues });
  return splitOutputs(await session.run(batch.feeds), batch, session.sequenceOutputs);
}

function reply(message: WorkerReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

// One message at a time, so a release waits for the job in progress instead of freeing a session under it.
let previous: Promise<void> = Promise.resolve();
port.on('message', (request: WorkerRequest) => {
  previous = previous.then(() => (request.type === 'release' ? release(request.modelPath) : handle(request)));
});
