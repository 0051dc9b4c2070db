import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';

/**
 * The only file that imports onnxruntime-node. It runs inside inference workers (ORT's run blocks its thread),
 * so it exchanges plain typed arrays that cross thread boundaries, never ORT objects.
 */

export type TensorDtype = 'int64' | 'float32';

/** A tensor as plain data: transferable between threads. */
export type TensorData =
  | { dtype: 'int64'; data: BigInt64Array; dims: number[] }
  | { dtype: 'float32'; data: Float32Array; dims: number[] };

export interface SessionOptions {
  /** Preference order ("cuda", "cpu"); the first that creates a session wins. */
  executionProviders: readonly string[];
  /** Intra-op threads per session; 0 leaves ORT's default. */
  intraOpThreads: number;
  /**
   * false: idle intra-op threads sleep instead of spinning. For sessions that share cores with others (the OCR
   * pool beside the inference workers), where spinning threads steal the cores the busy ones need.
   */
  spinning?: boolean;
}

export interface ModelSession {
  /** The execution provider the session was created with. */
  readonly executionProvider: string;
  /** Providers tried before it that failed, each as "<provider>: <reason>" (a CUDA fallback's why). */
  readonly providerFailures: readonly string[];
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Inputs and outputs whose axis 1 is symbolic (a sequence): dynamic batching pads and un-pads these. */
  readonly sequenceInputs: ReadonlySet<string>;
  readonly sequenceOutputs: ReadonlySet<string>;
  run(feeds: Record<string, TensorData>): Promise<Record<string, TensorData>>;
  release(): Promise<void>;
}

/**
 * Tries each execution provider in order, logging failures; throws the last error when none loads. `model` is a
 * file path or the model's bytes (a graph edited in memory); `label` names it in messages.
 */
export async function createModelSession(
  model: string | Uint8Array,
  options: SessionOptions,
  warn: (message: string) => void,
  label = typeof model === 'string' ? model : 'in-memory model',
): Promise<ModelSession> {
  const providers = options.executionProviders.length > 0 ? options.executionProviders : ['cpu'];
  let lastError: unknown;
  const failures: string[] = [];
  for (const provider of providers) {
    try {
      const sessionOptions: ort.InferenceSession.SessionOptions = {
        executionProviders: [provider],
        graphOptimizationLevel: 'all',
        ...(options.intraOpThreads > 0 ? { intraOpNumThreads: options.intraOpThreads } : {}),
        ...(options.spinning === false ? { extra: { session: { intra_op: { allow_spinning: '0' } } } } : {}),
      };
      // Two calls: ORT's overloads take a path or bytes, not the union.
      const session = typeof model === 'string' ? await ort.InferenceSession.create(model, sessionOptions) : await ort.InferenceSession.create(model, sessionOptions);
      return wrapSession(session, provider, failures);
    } catch (error) {
      lastError = error;
      failures.push(`${provider}: ${(error as Error).message.split('\n')[0]}${provider === 'cuda' ? cudaHint() : ''}`);
      warn(`execution provider ${provider} failed for ${label}: ${(error as Error).message}`);
    }
  }
  throw lastError instanceof Error ? lastError : new Error(`no execution provider could load ${label}`);
}

function wrapSession(session: ort.InferenceSession, executionProvider: string, providerFailures: readonly string[]): ModelSession {
  return {
    executionProvider,
    providerFailures,
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    sequenceInputs: symbolicAxis1(session.inputMetadata),
    sequenceOutputs: symbolicAxis1(session.outputMetadata),
    async run(feeds) {
      const ortFeeds: Record<string, ort.Tensor> = {};
      for (const [name, tensor] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor(tensor.dtype, tensor.data, tensor.dims);
      const results = await session.run(ortFeeds);
      const outputs: Record<string, TensorData> = {};
      for (const [name, tensor] of Object.entries(results)) outputs[name] = toTensorData(name, tensor);
      return outputs;
    },
    release: () => session.release(),
  };
}

/** Names whose axis 1 is symbolic, or unknown (a graph without shape information: trust the runtime dims). */
function symbolicAxis1(metadata: readonly ort.InferenceSession.ValueMetadata[]): ReadonlySet<string> {
  const names = metadata.filter((value) => !value.isTensor || value.shape.length === 0 || typeof value.shape[1] === 'string');
  return new Set(names.map((value) => value.name));
}

function toTensorData(name: string, tensor: ort.Tensor): TensorData {
  const dims = [...tensor.dims];
  // Copies, so the result owns a whole ArrayBuffer that can be transferred to the main thread.
  if (tensor.type === 'float32') return { dtype: 'float32', data: new Float32Array(tensor.data as Float32Array), dims };
  if (tensor.type === 'int64') return { dtype: 'int64', data: new BigInt64Array(tensor.data as BigInt64Array), dims };
  throw new Error(`output ${name} has unsupported type ${tensor.type}`);
}

/** ORT's message for a CUDA failure names no cause; say whether the provider is installed, and how to look further. */
function cudaHint(): string {
  const binDir = join(dirname(require.resolve('onnxruntime-node/package.json')), 'bin', 'napi-v6', process.platform, process.arch);
  if (!existsSync(join(binDir, 'libonnxruntime_providers_cuda.so'))) return ' (the CUDA provider is not installed: AETNET_CUDA=1 bash scripts/install.sh)';
  return ' (the CUDA provider is installed; is there a GPU and its driver, libcuda.so.1? bash scripts/install-cuda-provider.sh --check)';
}
