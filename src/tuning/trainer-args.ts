import type { BundleManifest } from '../registry/bundle-manifest';
import type { AlignmentSpec, Hyperparameters, Preset, Schedule } from './tuning-job';

/** Pure: a job's settings → the prepare options and the trainer's command lines (trainer/src/aetnet_trainer). */

export interface PreparationOptions {
  maxLength: number;
  stride: number;
  imageSize: number;
}

/** The trainer's longest sequence and image side per preset (config.py); tiny trains at its own small image. */
const PRESET_LIMITS: Record<Preset, { maxLength: number; imageSize: number }> = {
  tiny: { maxLength: 64, imageSize: 112 },
  small: { maxLength: 512, imageSize: 224 },
  base: { maxLength: 512, imageSize: 224 },
  mpnet6: { maxLength: 512, imageSize: 112 },
  mpnet12: { maxLength: 512, imageSize: 224 },
};

/**
 * Windows as long as the base bundle's (so the base model is evaluated on what it was built for), capped by what
 * the preset can train; half-overlapping windows unless the base bundle says otherwise.
 */
export function preparationOptions(preset: Preset, base?: { maxLength: number; windowStride: number }): PreparationOptions {
  const limits = PRESET_LIMITS[preset];
  const maxLength = Math.min(limits.maxLength, base?.maxLength ?? limits.maxLength);
  const stride = Math.min(maxLength - 2, base?.windowStride ?? Math.floor(maxLength / 2));
  return { maxLength, stride, imageSize: limits.imageSize };
}

export interface TrainInvocation {
  preparedDir: string;
  runDir: string;
  preset: Preset;
  schedule: Schedule;
  hyperparameters: Hyperparameters;
  alignment: AlignmentSpec;
  layoutlmv3Dir?: string;
  /** Warm start: the base bundle's directory (its weights are read back from its ONNX). */
  initBundle?: string;
  /** Continue from <runDir>/last.pt. */
  resume: boolean;
}

export function alignmentArgs(alignment: AlignmentSpec): string[] {
  if ('plain' in alignment) return ['--plain'];
  if ('preset' in alignment) return ['--loss-preset', alignment.preset];
  const weights = Object.entries(alignment.weights).map(([term, weight]) => `${term}=${weight}`);
  return weights.length > 0 ? ['--loss-weights', weights.join(',')] : [];
}

export function trainArgs(run: TrainInvocation): string[] {
  const { hyperparameters: h } = run;
  const optional: Array<[string, number | undefined]> = [
    ['--epochs', h.epochs],
    ['--max-steps', h.maxSteps],
    ['--batch-size', h.batchSize],
    ['--lr', h.learningRate],
    ['--seed', h.seed],
    ['--alpha', h.alpha],
  ];
  return [
    '-m', 'aetnet_trainer.train',
    '--data', run.preparedDir,
    '--config', run.preset,
    '--out', run.runDir,
    ...(run.schedule === 'quick' ? ['--schedule', 'quick'] : []),
    ...alignmentArgs(run.alignment),
    ...optional.flatMap(([flag, value]) => (value === undefined ? [] : [flag, String(value)])),
    ...(run.layoutlmv3Dir ? ['--layoutlmv3-dir', run.layoutlmv3Dir] : []),
    ...(run.initBundle ? ['--init-bundle', run.initBundle] : []),
    ...(run.resume ? ['--resume'] : []),
  ];
}

/** Vocabulary sizes of the pretrained starts a cold job loads (MiniLM for small, MPNet for mpnet6/mpnet12). */
const PRETRAINED_VOCAB: Partial<Record<Preset, { name: string; size: number }>> = {
  small: { name: 'MiniLM (all-MiniLM-L6-v2)', size: 30522 },
  mpnet6: { name: 'MPNet (all-mpnet-base-v2)', size: 30527 },
  mpnet12: { name: 'MPNet (all-mpnet-base-v2)', size: 30527 },
};

/**
 * Why a cold start of `preset` cannot use the base bundle's tokenizer (the data is prepared with it, the pretrained
 * start needs its own vocabulary), or undefined when it can. A warm start keeps the bundle's own vocabulary.
 */
export function coldStartTokenizerProblem(bundleId: string, vocabularySize: number, preset: Preset): string | undefined {
  const pretrained = PRETRAINED_VOCAB[preset];
  if (!pretrained || pretrained.size === vocabularySize) return undefined;
  return `model "${bundleId}" has a tokenizer of ${vocabularySize} tokens; preset ${preset} starts cold from ${pretrained.name}, whose vocabulary has ${pretrained.size}: use a base model with that tokenizer, or a warm start from this one with the preset it was trained with`;
}

/**
 * Why a bundle cannot warm start a job of `preset`, or undefined when it can: the trainer rebuilds the bundle's
 * architecture from the preset it was trained with (manifest.training.config) and reads its weights back from
 * the ONNX, so the presets must agree. A bundle trained plain holds no alignment encoders: it can only start a
 * plain job.
 */
export function warmStartProblem(manifest: Pick<BundleManifest, 'id' | 'training'>, preset: Preset, alignment: AlignmentSpec): string | undefined {
  const trainedWith = manifest.training?.config;
  if (typeof trainedWith !== 'string') return `model "${manifest.id}" does not say which trainer config built it, so its weights cannot start a job; use "start": "cold"`;
  if (trainedWith !== preset) return `model "${manifest.id}" was trained with preset ${trainedWith}; a warm start from it needs "preset": "${trainedWith}" (or "start": "cold")`;
  if (manifest.training?.mode === 'plain' && !('plain' in alignment)) {
    return `model "${manifest.id}" was trained plain: its bundle lacks the alignment encoders' weights an alignment-enriched job needs; use "alignment": {"plain": true} or "start": "cold"`;
  }
  return undefined;
}

export function exportArgs(checkpoint: string, bundleDir: string, modelId: string): string[] {
  return ['-m', 'aetnet_trainer.export', '--checkpoint', checkpoint, '--out', bundleDir, '--id', modelId];
}
