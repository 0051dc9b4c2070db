/**
 * Narrows the output classes of an ONNX classifier by editing its protobuf bytes: the final layer's weight
 * [hidden, classes] and bias [classes] keep only the chosen columns, and the class dimension of the graph output
 * (and of the shapes recorded for the values leading to it) follows. PP-OCR's recogniser scores 18,710
 * characters (mostly CJK) for every column of every line; an English page needs ~200, and the smaller layer
 * also shrinks the output that crosses threads and the CTC decoding.
 * onnxruntime-node cannot fetch intermediate values, so the graph itself is changed, in memory.
 */

interface Field {
  number: number;
  wireType: number;
  /** The encoded value: varint/fixed bytes, or the payload of a length-delimited field. */
  value: Uint8Array;
}

function readVarint(bytes: Uint8Array, offset: number): [number, number] {
  let value = 0;
  let multiplier = 1;
  for (let i = 0; i < 10; i++) {
    if (offset >= bytes.length) throw new Error('truncated varint');
    const byte = bytes[offset++];
    value += (byte & 0x7f) * multiplier;
    if ((byte & 0x80) === 0) return [value, offset];
    multiplier *= 128;
  }
  throw new Error('varint longer than 10 bytes');
}

function encodeVarint(value: number): Uint8Array {
  const out: number[] = [];
  let rest = value;
  do {
    const low = rest % 128;
    rest = Math.floor(rest / 128);
    out.push(rest > 0 ? low | 0x80 : low);
  } while (rest > 0);
  return Uint8Array.from(out);
}

/** Throws on bytes that are not a well-formed protobuf message. */
export function parseMessage(bytes: Uint8Array): Field[] {
  const fields: Field[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const [tag, afterTag] = readVarint(bytes, offset);
    const wireType = tag % 8;
    const number = Math.floor(tag / 8);
    let start = afterTag;
    let end: number;
    if (wireType === 0) end = readVarint(bytes, afterTag)[1];
    else if (wireType === 1) end = afterTag + 8;
    else if (wireType === 5) end = afterTag + 4;
    else if (wireType === 2) {
      const [length, afterLength] = readVarint(bytes, afterTag);
      start = afterLength;
      end = afterLength + length;
    } else throw new Error(`unsupported protobuf wire type ${wireType}`);
    if (end > bytes.length) throw new Error('field runs past the end of the message');
    fields.push({ number, wireType, value: bytes.subarray(start, end) });
    offset = end;
  }
  return fields;
}

export function serializeMessage(fields: readonly Field[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const field of fields) {
    parts.push(encodeVarint(field.number * 8 + field.wireType));
    if (field.wireType === 2) parts.push(encodeVarint(field.value.length));
    parts.push(field.value);
  }
  return concat(parts);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

const lengthField = (number: number, value: Uint8Array): Field => ({ number, wireType: 2, value });
const varintValue = (field: Field) => readVarint(field.value, 0)[0];

// ONNX field numbers (onnx.proto).
const MODEL_GRAPH = 7;
const GRAPH_INITIALIZER = 5;
const GRAPH_OUTPUT = 12;
const GRAPH_VALUE_INFO = 13;
const TENSOR_DIMS = 1;
const TENSOR_DATA_TYPE = 2;
const TENSOR_FLOAT_DATA = 4;
const TENSOR_RAW_DATA = 9;
const FLOAT = 1;
const VALUE_TYPE = 2;
const TYPE_TENSOR = 1;
const TENSOR_TYPE_SHAPE = 2;
const SHAPE_DIM = 1;
const DIM_VALUE = 1;

function tensorDims(tensor: Field[]): number[] {
  const dims: number[] = [];
  for (const field of tensor.filter((f) => f.number === TENSOR_DIMS)) {
    if (field.wireType === 0) dims.push(varintValue(field));
    else for (let offset = 0; offset < field.value.length; ) {
      const [dim, next] = readVarint(field.value, offset);
      dims.push(dim);
      offset = next;
    }
  }
  return dims;
}

function tensorFloats(tensor: Field[]): Float32Array {
  const type = tensor.find((f) => f.number === TENSOR_DATA_TYPE);
  if (!type || varintValue(type) !== FLOAT) throw new Error('classifier weights are not float32');
  const data = tensor.find((f) => f.number === TENSOR_RAW_DATA) ?? tensor.find((f) => f.number === TENSOR_FLOAT_DATA && f.wireType === 2);
  if (!data) throw new Error('classifier weights hold no data');
  // A copy (a Buffer's slice() would be a view), so the floats start aligned at offset 0.
  const copy = new Uint8Array(data.value);
  return new Float32Array(copy.buffer, 0, copy.length / 4);
}

/** The tensor with its dims replaced and its data stored as raw_data. */
function replaceTensor(tensor: Field[], dims: number[], values: Float32Array): Field[] {
  const kept = tensor.filter((f) => f.number !== TENSOR_DIMS && f.number !== TENSOR_RAW_DATA && f.number !== TENSOR_FLOAT_DATA);
  return [lengthField(TENSOR_DIMS, concat(dims.map(encodeVarint))), ...kept, lengthField(TENSOR_RAW_DATA, new Uint8Array(values.buffer, values.byteOffset, values.byteLength))];
}

/** The output's last dimension, when it is the fixed value `from`, set to `to`. */
function narrowOutputShape(valueInfo: Uint8Array, from: number, to: number): Uint8Array {
  const edit = (bytes: Uint8Array, path: number[], leaf: (fields: Field[]) => Field[]): Uint8Array => {
    const fields = parseMessage(bytes);
    if (path.length === 0) return serializeMessage(leaf(fields));
    return serializeMessage(fields.map((f) => (f.number === path[0] && f.wireType === 2 ? lengthField(f.number, edit(f.value, path.slice(1), leaf)) : f)));
  };
  return edit(valueInfo, [VALUE_TYPE, TYPE_TENSOR, TENSOR_TYPE_SHAPE], (shape) => {
    const dims = shape.filter((f) => f.number === SHAPE_DIM);
    const last = dims[dims.length - 1];
    if (!last) return shape;
    const lastFields = parseMessage(last.value);
    const value = lastFields.find((f) => f.number === DIM_VALUE && f.wireType === 0);
    if (!value || varintValue(value) !== from) return shape;
    const narrowed = lengthField(SHAPE_DIM, serializeMessage(lastFields.map((f) => (f === value ? { ...f, value: encodeVarint(to) } : f))));
    return shape.map((f) => (f === last ? narrowed : f));
  });
}

/**
 * The model with only the output classes `keep` (indices, in the order given). The final layer is found as the
 * one weight [hidden, classes] and one bias [classes] among the initializers; a model without exactly one of
 * each is refused.
 */
export function narrowClassifier(model: Uint8Array, classes: number, keep: readonly number[]): Uint8Array {
  if (keep.some((k) => !Number.isInteger(k) || k < 0 || k >= classes)) throw new Error(`class indices must lie in [0, ${classes})`);
  const fields = parseMessage(model);
  const graphField = fields.find((f) => f.number === MODEL_GRAPH && f.wireType === 2);
  if (!graphField) throw new Error('not an ONNX model: no graph');
  const graph = parseMessage(graphField.value);
  const initializers = graph.filter((f) => f.number === GRAPH_INITIALIZER && f.wireType === 2);
  const shaped = initializers.map((field) => ({ field, tensor: parseMessage(field.value) })).map((entry) => ({ ...entry, dims: tensorDims(entry.tensor) }));
  const weights = shaped.filter((e) => e.dims.length === 2 && e.dims[1] === classes);
  const biases = shaped.filter((e) => e.dims.length === 1 && e.dims[0] === classes);
  if (weights.length !== 1 || biases.length !== 1) throw new Error(`expected one [hidden, ${classes}] weight and one [${classes}] bias, found ${weights.length} and ${biases.length}`);

  const [weight] = weights;
  const [bias] = biases;
  const hidden = weight.dims[0];
  const w = tensorFloats(weight.tensor);
  const b = tensorFloats(bias.tensor);
  if (w.length !== hidden * classes || b.length !== classes) throw new Error('classifier weights do not match their dims');
  const narrowW = new Float32Array(hidden * keep.length);
  for (let h = 0; h < hidden; h++) for (let k = 0; k < keep.length; k++) narrowW[h * keep.length + k] = w[h * classes + keep[k]];
  const narrowB = Float32Array.from(keep, (k) => b[k]);

  const replaced = new Map<Field, Field>([
    [weight.field, lengthField(GRAPH_INITIALIZER, serializeMessage(replaceTensor(weight.tensor, [hidden, keep.length], narrowW)))],
    [bias.field, lengthField(GRAPH_INITIALIZER, serializeMessage(replaceTensor(bias.tensor, [keep.length], narrowB)))],
  ]);
  const newGraph = graph.map((f) => {
    if (replaced.has(f)) return replaced.get(f)!;
    // The output and the recorded shapes of the values leading to it (the final MatMul and Add).
    if ((f.number === GRAPH_OUTPUT || f.number === GRAPH_VALUE_INFO) && f.wireType === 2) return lengthField(f.number, narrowOutputShape(f.value, classes, keep.length));
    return f;
  });
  return serializeMessage(fields.map((f) => (f === graphField ? lengthField(MODEL_GRAPH, serializeMessage(newGraph)) : f)));
}
