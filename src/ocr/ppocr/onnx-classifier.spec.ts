import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createModelSession } from '../../model/onnx-session';
import { narrowClassifier, parseMessage, serializeMessage } from './onnx-classifier';

// A hand-built ONNX model: y = softmax(x · W + b), x [1, 2], W [2, 4], b [4] (field numbers from onnx.proto).
const text = (value: string) => new TextEncoder().encode(value);
const varint = (number: number, value: number) => ({ number, wireType: 0, value: encode(value) });
const message = (number: number, fields: Array<{ number: number; wireType: number; value: Uint8Array }>) => ({ number, wireType: 2, value: serializeMessage(fields) });
const bytes = (number: number, value: Uint8Array) => ({ number, wireType: 2, value });

function encode(value: number): Uint8Array {
  const out: number[] = [];
  do {
    out.push((value & 0x7f) | (value > 0x7f ? 0x80 : 0));
    value = Math.floor(value / 128);
  } while (value > 0);
  return Uint8Array.from(out);
}

const tensor = (name: string, dims: number[], values: number[]) =>
  message(5, [...dims.map((d) => varint(1, d)), varint(2, 1), bytes(8, text(name)), bytes(9, new Uint8Array(Float32Array.from(values).buffer))]);
const valueInfo = (number: number, name: string, dims: number[]) =>
  message(number, [bytes(1, text(name)), message(2, [message(1, [varint(1, 1), message(2, dims.map((d) => message(1, [varint(1, d)])))])])]);
const node = (op: string, inputs: string[], output: string) => message(1, [...inputs.map((i) => bytes(1, text(i))), bytes(2, text(output)), bytes(4, text(op))]);

const WEIGHTS = [1, 2, 3, 4, -1, 0, 1, 2];
const BIAS = [0.5, 0, -0.5, 1];

function tinyClassifier(): Uint8Array {
  const graph = [
    node('MatMul', ['x', 'W'], 'h'),
    node('Add', ['h', 'b'], 'logits'),
    node('Softmax', ['logits'], 'y'),
    bytes(2, text('tiny')),
    tensor('W', [2, 4], WEIGHTS),
    tensor('b', [4], BIAS),
    valueInfo(11, 'x', [1, 2]),
    valueInfo(12, 'y', [1, 4]),
    valueInfo(13, 'logits', [1, 4]),
  ];
  return serializeMessage([varint(1, 8), message(8, [bytes(1, text('')), varint(2, 13)]), message(7, graph)]);
}

async function run(model: Uint8Array, x: number[]): Promise<number[]> {
  const session = await createModelSession(model, { executionProviders: ['cpu'], intraOpThreads: 1 }, () => undefined);
  const outputs = await session.run({ x: { dtype: 'float32', data: Float32Array.from(x), dims: [1, 2] } });
  await session.release();
  return [...(outputs.y.data as Float32Array)];
}

describe('narrowClassifier', () => {
  it('round-trips protobuf messages byte for byte', () => {
    const model = tinyClassifier();
    assert.deepEqual(serializeMessage(parseMessage(model)), model);
  });

  it('keeps only the chosen classes: the same logits, renormalised', async () => {
    const model = tinyClassifier();
    const full = await run(model, [0.3, -0.7]);
    const narrowed = await run(narrowClassifier(model, 4, [0, 2, 3]), [0.3, -0.7]);
    const kept = [full[0], full[2], full[3]];
    const total = kept.reduce((a, b) => a + b, 0);
    assert.equal(narrowed.length, 3);
    narrowed.forEach((p, i) => assert.ok(Math.abs(p - kept[i] / total) < 1e-6));
  });

  it('refuses a model without exactly one classifier of that width, and indices out of range', () => {
    assert.throws(() => narrowClassifier(tinyClassifier(), 5, [0]), /expected one \[hidden, 5\] weight/);
    assert.throws(() => narrowClassifier(tinyClassifier(), 4, [4]), /class indices/);
    assert.throws(() => narrowClassifier(Uint8Array.from([0x0f]), 4, [0]), /wire type|truncated/);
  });
});
