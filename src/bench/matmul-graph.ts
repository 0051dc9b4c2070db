/**
 * A one-node ONNX model `Y = MatMul(A, B)` (A: [m, k], B: [k, n], float32) written as protobuf bytes by hand, so
 * the bench can measure ONNX Runtime's matrix-multiply rate at the model's own shapes without a Python step.
 * Field numbers follow onnx.proto (ModelProto, GraphProto, NodeProto, ValueInfoProto, TypeProto).
 */

const IR_VERSION = 8;
const OPSET = 17;
const FLOAT = 1;

function varint(value: number): number[] {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return bytes;
}

/** Field with wire type 0 (varint). */
function intField(field: number, value: number): number[] {
  return [...varint(field * 8), ...varint(value)];
}

/** Field with wire type 2 (bytes, strings, embedded messages). */
function bytesField(field: number, payload: readonly number[] | string): number[] {
  const bytes = typeof payload === 'string' ? [...Buffer.from(payload, 'utf8')] : payload;
  return [...varint(field * 8 + 2), ...varint(bytes.length), ...bytes];
}

function tensorValueInfo(name: string, dims: readonly number[]): number[] {
  const shape = dims.flatMap((dim) => bytesField(1, intField(1, dim)));
  const tensorType = [...intField(1, FLOAT), ...bytesField(2, shape)];
  return [...bytesField(1, name), ...bytesField(2, bytesField(1, tensorType))];
}

export function matMulModel(m: number, k: number, n: number): Uint8Array {
  for (const [name, value] of Object.entries({ m, k, n })) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
  const node = [...bytesField(1, 'A'), ...bytesField(1, 'B'), ...bytesField(2, 'Y'), ...bytesField(3, 'matmul'), ...bytesField(4, 'MatMul')];
  const graph = [
    ...bytesField(1, node),
    ...bytesField(2, 'matmul-rate'),
    ...bytesField(11, tensorValueInfo('A', [m, k])),
    ...bytesField(11, tensorValueInfo('B', [k, n])),
    ...bytesField(12, tensorValueInfo('Y', [m, n])),
  ];
  const opset = [...bytesField(1, ''), ...intField(2, OPSET)];
  return Uint8Array.from([...intField(1, IR_VERSION), ...bytesField(2, 'aetnet-bench'), ...bytesField(7, graph), ...bytesField(8, opset)]);
}

/** FLOPs of one [m, k] × [k, n] product (a multiply-add counts 2). */
export function matMulFlops(m: number, k: number, n: number): number {
  return 2 * m * k * n;
}
