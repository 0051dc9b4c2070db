import type { TensorData } from './onnx-session';

/**
 * Dynamic batching's tensor arithmetic: several requests' feeds → one padded batch, and the batch's outputs →
 * each request's rows, un-padded. Pure, so it runs (and is tested) outside ONNX Runtime.
 */

export type Feeds = Record<string, TensorData>;

export interface MergeOptions {
  /** Inputs whose axis 1 is a variable sequence (padded to the longest); others must agree on every axis but 0. */
  sequenceInputs: ReadonlySet<string>;
  /** Value written into padded positions, per input; 0 when absent (attention mask 0, box [0,0,0,0]). */
  padValues: Readonly<Record<string, number>>;
}

export interface MergedBatch {
  feeds: Feeds;
  /** Rows (axis 0) each request contributed, in order. */
  rows: number[];
  /** Each request's own sequence length (0 when it has no sequence input). */
  lengths: number[];
  /** The padded sequence length of the batch. */
  sequenceLength: number;
}

/** Rows of a request: axis 0 of its first input (every input of a request shares it). */
export function rowCount(feeds: Feeds): number {
  const first = Object.values(feeds)[0];
  return first?.dims[0] ?? 0;
}

/** Whether two requests can share a run: same inputs, dtypes and ranks, equal on every axis after the first two. */
export function canMerge(a: Feeds, b: Feeds): boolean {
  const names = Object.keys(a);
  if (names.length !== Object.keys(b).length) return false;
  return names.every((name) => {
    const x = a[name];
    const y = b[name];
    return y !== undefined && x.dtype === y.dtype && x.dims.length === y.dims.length && x.dims.every((size, axis) => axis < 2 || size === y.dims[axis]);
  });
}

/** The request's sequence length: axis 1 of input_ids when present, else of its first sequence input. */
function sequenceLengthOf(feeds: Feeds, sequenceInputs: ReadonlySet<string>): number {
  const name = 'input_ids' in feeds && sequenceInputs.has('input_ids') ? 'input_ids' : Object.keys(feeds).find((n) => sequenceInputs.has(n));
  return name === undefined ? 0 : (feeds[name].dims[1] ?? 0);
}

function allocate(dtype: TensorData['dtype'], size: number, padValue: number): TensorData['data'] {
  return dtype === 'int64' ? new BigInt64Array(size).fill(BigInt(padValue)) : new Float32Array(size).fill(padValue);
}

/** Concatenates along axis 0, padding axis 1 of sequence inputs to the longest request. */
export function mergeFeeds(requests: readonly Feeds[], options: MergeOptions): MergedBatch {
  if (requests.length === 0) throw new Error('mergeFeeds needs at least one request');
  for (const request of requests.slice(1)) {
    if (!canMerge(requests[0], request)) throw new Error('requests with different inputs or shapes cannot share a batch');
  }
  const rows = requests.map(rowCount);
  const lengths = requests.map((request) => sequenceLengthOf(request, options.sequenceInputs));
  const totalRows = rows.reduce((sum, n) => sum + n, 0);
  const feeds: Feeds = {};
  for (const [name, head] of Object.entries(requests[0])) {
    const padded = options.sequenceInputs.has(name) && head.dims.length >= 2;
    if (!padded && requests.some((request) => request[name].dims[1] !== head.dims[1])) {
      throw new Error(`input ${name} differs on axis 1, which is not a sequence axis`);
    }
    const axis1 = padded ? Math.max(...requests.map((request) => request[name].dims[1])) : head.dims[1];
    const inner = head.dims.slice(2).reduce((product, size) => product * size, 1);
    const dims = head.dims.length >= 2 ? [totalRows, axis1, ...head.dims.slice(2)] : [totalRows];
    const rowSize = head.dims.length >= 2 ? axis1 * inner : 1;
    const data = allocate(head.dtype, totalRows * rowSize, options.padValues[name] ?? 0);
    let rowOffset = 0;
    for (const request of requests) {
      const tensor = request[name];
      const ownRowSize = tensor.dims.length >= 2 ? tensor.dims[1] * inner : 1;
      for (let row = 0; row < tensor.dims[0]; row++) {
        // Each row's own values first; the rest of the padded row keeps the pad value.
        (data as Float32Array).set(tensor.data.subarray(row * ownRowSize, (row + 1) * ownRowSize) as Float32Array, (rowOffset + row) * rowSize);
      }
      rowOffset += tensor.dims[0];
    }
    feeds[name] = { dtype: head.dtype, data, dims } as TensorData;
  }
  return { feeds, rows, lengths, sequenceLength: Math.max(...lengths) };
}

/**
 * Each request's rows of every output. An output in `sequenceOutputs` whose axis 1 is the batch's padded sequence
 * length is cut back to the request's own length ([batch, seq, C] logits, [batch, seq] start/end logits);
 * any other output ([batch, C]) is split by rows only. Every piece owns its buffer, so it can be transferred.
 */
export function splitOutputs(outputs: Feeds, batch: Omit<MergedBatch, 'feeds'>, sequenceOutputs: ReadonlySet<string>): Feeds[] {
  const totalRows = batch.rows.reduce((sum, n) => sum + n, 0);
  const pieces: Feeds[] = batch.rows.map(() => ({}));
  for (const [name, tensor] of Object.entries(outputs)) {
    if (tensor.dims[0] !== totalRows) throw new Error(`output ${name} has ${tensor.dims[0]} rows; the batch has ${totalRows}`);
    const inner = tensor.dims.slice(2).reduce((product, size) => product * size, 1);
    const unpad = sequenceOutputs.has(name) && tensor.dims.length >= 2 && tensor.dims[1] === batch.sequenceLength;
    const rowSize = tensor.dims.length >= 2 ? tensor.dims[1] * inner : 1;
    let rowOffset = 0;
    batch.rows.forEach((rows, index) => {
      const axis1 = unpad ? batch.lengths[index] : tensor.dims[1];
      const ownRowSize = tensor.dims.length >= 2 ? axis1 * inner : 1;
      const data = tensor.dtype === 'int64' ? new BigInt64Array(rows * ownRowSize) : new Float32Array(rows * ownRowSize);
      for (let row = 0; row < rows; row++) {
        const start = (rowOffset + row) * rowSize;
        (data as Float32Array).set(tensor.data.subarray(start, start + ownRowSize) as Float32Array, row * ownRowSize);
      }
      const dims = tensor.dims.length >= 2 ? [rows, axis1, ...tensor.dims.slice(2)] : [rows];
      pieces[index][name] = { dtype: tensor.dtype, data, dims } as TensorData;
      rowOffset += rows;
    });
  }
  return pieces;
}
