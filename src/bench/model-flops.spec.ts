import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encoderLayerFlops, imageSideFlops, imageTokens, modelDimensions, pageFlops, textSideFlops } from './model-flops';

describe('modelDimensions', () => {
  it('reads a preset name, or the trainer ModelConfig fields when the manifest carries them', () => {
    const small = modelDimensions({ config: 'small', mode: 'aet' });
    assert.deepEqual(small, { hidden: 384, ffn: 1536, vitLayers: 4, textLayers: 4, fusionLayers: 4, imageSize: 224, patchSize: 16, plain: false });
    const custom = modelDimensions({
      config: 'small',
      mode: 'plain',
      model: { hidden_size: 32, intermediate_size: 64, vit_layers: 1, text_layers: 1, fusion_layers: 3, image_size: 64, patch_size: 16 },
    });
    assert.deepEqual(custom, { hidden: 32, ffn: 64, vitLayers: 1, textLayers: 1, fusionLayers: 3, imageSize: 64, patchSize: 16, plain: true });
    assert.equal(modelDimensions({ config: 'huge' }), undefined);
    assert.equal(modelDimensions(undefined), undefined);
  });
});

describe('FLOP counts', () => {
  const tiny = modelDimensions({ config: 'tiny', mode: 'aet' })!;

  it('counts one encoder layer as 2 × (4nd² + 2ndf + 2n²d)', () => {
    assert.equal(encoderLayerFlops(10, 4, 8), 2 * (4 * 10 * 16 + 2 * 10 * 4 * 8 + 2 * 100 * 4));
  });

  it('has 1 + (size/patch)² image tokens', () => {
    assert.equal(imageTokens(tiny), 50);
    assert.equal(imageTokens(modelDimensions({ config: 'base' })!), 197);
  });

  it('counts the image side once per page for split bundles and per window otherwise', () => {
    const options = { task: 'extract' as const, labels: 7 };
    const windows = [64, 40];
    const text = textSideFlops(tiny, 64, 'extract', 7) + textSideFlops(tiny, 40, 'extract', 7);
    assert.equal(pageFlops(tiny, windows, { ...options, splitImageEncoder: true }), text + imageSideFlops(tiny));
    assert.equal(pageFlops(tiny, windows, { ...options, splitImageEncoder: false }), text + 2 * imageSideFlops(tiny));
    assert.equal(pageFlops(tiny, [], { ...options, splitImageEncoder: false }), 0);
  });

  it('drops the alignment encoders of a plain model', () => {
    const plain = { ...tiny, plain: true };
    assert.ok(imageSideFlops(plain) < imageSideFlops(tiny));
    assert.equal(textSideFlops(plain, 64, 'classify', 3), 2 * encoderLayerFlops(64 + 50, 64, 256) + 2 * (64 * 64 + 64 * 3));
  });
});
