/**
 * Multiply-add work of an AETNet forward pass (trainer `modeling.py` / `fusion.py`), counted as 2 FLOPs per
 * multiply-add over the matrix products only (projections, FFNs, attention scores and mixing, patch embeddings,
 * heads); softmax, LayerNorm, GELU and embedding look-ups are left out, so the count is a slight lower bound.
 */

export interface ModelDimensions {
  hidden: number;
  ffn: number;
  vitLayers: number;
  textLayers: number;
  fusionLayers: number;
  imageSize: number;
  patchSize: number;
  /** `plain` models keep only the fusion and head (no alignment ViT or text encoder). */
  plain: boolean;
}

/** The trainer's presets (`config.py`), for manifests that name a preset but not its sizes. */
const PRESETS: Record<string, Omit<ModelDimensions, 'plain'>> = {
  tiny: { hidden: 64, ffn: 256, vitLayers: 2, textLayers: 2, fusionLayers: 2, imageSize: 112, patchSize: 16 },
  small: { hidden: 384, ffn: 1536, vitLayers: 4, textLayers: 4, fusionLayers: 4, imageSize: 224, patchSize: 16 },
  base: { hidden: 768, ffn: 3072, vitLayers: 12, textLayers: 12, fusionLayers: 12, imageSize: 224, patchSize: 16 },
};

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A bundle manifest's `training` block → the model's sizes: its `model` object (the trainer's ModelConfig fields)
 * when present, else its `config` preset name. Undefined when neither says.
 */
export function modelDimensions(training: unknown): ModelDimensions | undefined {
  if (!isRecord(training)) return undefined;
  const plain = training.mode === 'plain';
  const model = training.model;
  if (isRecord(model)) {
    const fields = ['hidden_size', 'intermediate_size', 'vit_layers', 'text_layers', 'fusion_layers', 'image_size', 'patch_size'] as const;
    if (fields.every((field) => typeof model[field] === 'number')) {
      const n = (field: (typeof fields)[number]) => model[field] as number;
      return {
        hidden: n('hidden_size'),
        ffn: n('intermediate_size'),
        vitLayers: n('vit_layers'),
        textLayers: n('text_layers'),
        fusionLayers: n('fusion_layers'),
        imageSize: n('image_size'),
        patchSize: n('patch_size'),
        plain,
      };
    }
  }
  const preset = typeof training.config === 'string' ? PRESETS[training.config] : undefined;
  return preset && { ...preset, plain };
}

/** Image tokens of the fusion: [CLS] + one per patch. */
export function imageTokens(dims: ModelDimensions): number {
  const grid = Math.floor(dims.imageSize / dims.patchSize);
  return 1 + grid * grid;
}

/** One transformer encoder layer over `tokens` tokens: Q, K, V and output projections, QKᵀ, AV and the FFN. */
export function encoderLayerFlops(tokens: number, hidden: number, ffn: number): number {
  return 2 * (4 * tokens * hidden * hidden + 2 * tokens * hidden * ffn + 2 * tokens * tokens * hidden);
}

function patchEmbeddingFlops(dims: ModelDimensions): number {
  const patches = imageTokens(dims) - 1;
  return 2 * patches * 3 * dims.patchSize * dims.patchSize * dims.hidden;
}

/** The image side, run once per page by split bundles: LayoutLMv3's patch embedding plus the alignment ViT. */
export function imageSideFlops(dims: ModelDimensions): number {
  const vit = dims.plain ? 0 : patchEmbeddingFlops(dims) + dims.vitLayers * encoderLayerFlops(imageTokens(dims), dims.hidden, dims.ffn);
  return patchEmbeddingFlops(dims) + vit;
}

export type HeadTask = 'extract' | 'classify' | 'ask';

/** The head's products: a linear per token (extract, < 10 labels), an MLP on [CLS] (classify) or per token (ask). */
function headFlops(task: HeadTask, tokens: number, hidden: number, labels: number): number {
  if (task === 'classify') return 2 * (hidden * hidden + hidden * labels);
  if (task === 'ask') return 2 * tokens * (hidden * hidden + hidden * 2);
  return 2 * tokens * hidden * labels;
}

/** The text side of one window of `tokens` tokens: alignment text encoder, fusion over text + image tokens, head. */
export function textSideFlops(dims: ModelDimensions, tokens: number, task: HeadTask, labels: number): number {
  const text = dims.plain ? 0 : dims.textLayers * encoderLayerFlops(tokens, dims.hidden, dims.ffn);
  const fusion = dims.fusionLayers * encoderLayerFlops(tokens + imageTokens(dims), dims.hidden, dims.ffn);
  return text + fusion + headFlops(task, tokens, dims.hidden, labels);
}

/**
 * A page's forward work as the service runs it: a split bundle encodes the image once and runs the text side per
 * window; a single-graph bundle runs the whole model (image side included) for every window.
 */
export function pageFlops(dims: ModelDimensions, windowTokens: readonly number[], options: { task: HeadTask; labels: number; splitImageEncoder: boolean }): number {
  const text = windowTokens.reduce((sum, tokens) => sum + textSideFlops(dims, tokens, options.task, options.labels), 0);
  if (windowTokens.length === 0) return 0;
  const image = imageSideFlops(dims) * (options.splitImageEncoder ? 1 : windowTokens.length);
  return text + image;
}
