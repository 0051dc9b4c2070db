import { MessagePort, parentPort, workerData } from 'node:worker_threads';
import { createModelSession, ModelSession, SessionOptions, TensorData } from './onnx-session';

/**
 * Entry of one inference worker thread. ORT's run blocks the thread it is called on, so every session lives
 * here, keyed by model path; the pool sends one job at a time.
 */

export interface InferenceWorkerData {
  sessionOptions: SessionOptions;
}

export type WorkerRequest =
  | { type: 'load'; jobId: number; modelPath: string }
  | { type: 'run'; jobId: number; modelPath: string; feeds: Record<string, TensorData> };

export interface LoadedModel {
  executionProvider: string;
  inputNames: string[];
  outputNames: string[];
}

export type WorkerReply =
  | ({ type: 'loaded'; jobId: number } & LoadedModel)
  | { type: 'result'; jobId: number; outputs: Record<string, TensorData> }
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

async function handle(request: WorkerRequest): Promise<void> {
  let session: ModelSession;
  try {
    session = await sessionFor(request.modelPath);
  } catch (error) {
    reply({ type: 'failed', jobId: request.jobId, phase: 'load', message: (error as Error).message });
    return;
  }
  if (request.type === 'load') {
    const { executionProvider, inputNames, outputNames } = session;
    reply({ type: 'loaded', jobId: request.jobId, executionProvider, inputNames: [...inputNames], outputNames: [...outputNames] });
    return;
  }
  try {
    const outputs = await session.run(request.feeds);
    reply({ type: 'result', jobId: request.jobId, outputs }, Object.values(outputs).map((tensor) => tensor.data.buffer as ArrayBuffer));
  } catch (error) {
    reply({ type: 'failed', jobId: request.jobId, phase: 'run', message: (error as Error).message });
  }
}

function reply(message: WorkerReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

port.on('message', (request: WorkerRequest) => void handle(request));
