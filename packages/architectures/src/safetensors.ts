/**
 * A hand-written reader/writer for the safetensors format
 * (https://huggingface.co/docs/safetensors): an 8-byte little-endian unsigned header length N, N bytes
 * of UTF-8 JSON `{ "<name>": { "dtype": "F32", "shape": [..], "data_offsets": [begin, end] }, ...,
 * "__metadata__"?: { string: string } }`, then the raw little-endian tensor bytes; offsets are relative
 * to the first byte after the header. Only float32 (`F32`) data can be converted to numbers here.
 */

/** Byte sizes of the dtypes the format defines. */
const DTYPE_BYTES: Record<string, number> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1,
  I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4,
  I64: 8, U64: 8, F64: 8,
};

/** One tensor of a safetensors file, its bytes not yet decoded. */
export interface SafetensorsEntry {
  name: string;
  dtype: string;
  shape: number[];
  /** The tensor's raw little-endian bytes (a view into the file's buffer). */
  bytes: Uint8Array;
}

/** A parsed safetensors file. */
export interface SafetensorsFile {
  /** Tensors in header order. */
  tensors: Map<string, SafetensorsEntry>;
  /** The `__metadata__` string map (empty when absent). */
  metadata: Record<string, string>;
}

/** A float32 tensor to write. */
export interface Float32TensorRecord {
  shape: number[];
  data: Float32Array;
}

const MAX_HEADER = 100_000_000;

const count = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

function fail(msg: string): never {
  throw new Error(`safetensors: ${msg}`);
}

/**
 * Parses a safetensors file. Validates the header length, the JSON, every entry's dtype, shape and
 * `data_offsets` (inside the data section, and `end - begin = prod(shape) * sizeof(dtype)`).
 *
 * @throws Error starting with `safetensors:` that names the bad field or tensor.
 */
export function readSafetensors(bytes: Uint8Array): SafetensorsFile {
  if (bytes.byteLength < 8) fail(`file is ${bytes.byteLength} bytes, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = view.getUint32(0, true);
  const hi = view.getUint32(4, true);
  const headerLength = hi * 2 ** 32 + lo;
  if (headerLength > MAX_HEADER) fail(`header length ${headerLength} exceeds ${MAX_HEADER} bytes`);
  if (8 + headerLength > bytes.byteLength) fail(`header length ${headerLength} runs past the end of the ${bytes.byteLength}-byte file`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch (err) {
    fail(`header is not valid UTF-8 JSON (${(err as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('header is not a JSON object');
  const dataStart = 8 + headerLength;
  const dataLength = bytes.byteLength - dataStart;
  const tensors = new Map<string, SafetensorsEntry>();
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || Object.values(raw).some((v) => typeof v !== 'string')) {
        fail('"__metadata__" must be an object of strings');
      }
      metadata = { ...(raw as Record<string, string>) };
      continue;
    }
    const info = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof info !== 'object' || info === null) fail(`tensor "${name}": entry is not an object`);
    const { dtype, shape, data_offsets: offsets } = info;
    if (typeof dtype !== 'string' || !(dtype in DTYPE_BYTES)) fail(`tensor "${name}": unknown dtype ${JSON.stringify(dtype)}`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      fail(`tensor "${name}": "shape" must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      fail(`tensor "${name}": "data_offsets" must be [begin, end], got ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    if (begin > end || end > dataLength) fail(`tensor "${name}": data_offsets [${begin}, ${end}] outside the ${dataLength}-byte data section`);
    const expected = count(shape as number[]) * (DTYPE_BYTES[dtype] ?? 0);
    if (end - begin !== expected) {
      fail(`tensor "${name}": ${end - begin} bytes for dtype ${dtype} and shape [${(shape as number[]).join(', ')}], expected ${expected}`);
    }
    tensors.set(name, { name, dtype, shape: [...(shape as number[])], bytes: bytes.subarray(dataStart + begin, dataStart + end) });
  }
  return { tensors, metadata };
}

/**
 * Decodes an `F32` entry into a new Float32Array.
 *
 * @throws Error naming the tensor when its dtype is not `F32` (convert to float32 before saving,
 *   e.g. `{k: v.float() for k, v in sd.items()}` in PyTorch).
 */
export function safetensorsToFloat32(entry: SafetensorsEntry): Float32Array {
  if (entry.dtype !== 'F32') {
    fail(`tensor "${entry.name}" has dtype ${entry.dtype}; only F32 is supported (save the state dict as float32)`);
  }
  const out = new Float32Array(entry.bytes.byteLength / 4);
  const view = new DataView(entry.bytes.buffer, entry.bytes.byteOffset, entry.bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

/**
 * Writes float32 tensors (in the given order) as a safetensors file. The header is padded with
 * spaces to a multiple of 8 bytes so the data section is aligned.
 *
 * @throws Error naming the tensor when `data.length` differs from `prod(shape)`.
 */
export function writeSafetensors(
  tensors: Iterable<[string, Float32TensorRecord]> | Record<string, Float32TensorRecord>,
  metadata?: Record<string, string>,
): Uint8Array {
  const entries: [string, Float32TensorRecord][] =
    Symbol.iterator in tensors ? [...(tensors as Iterable<[string, Float32TensorRecord]>)] : Object.entries(tensors);
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of entries) {
    if (name === '__metadata__') fail('"__metadata__" cannot be a tensor name');
    if (t.data.length !== count(t.shape)) fail(`tensor "${name}": ${t.data.length} values for shape [${t.shape.join(', ')}]`);
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + 4 * t.data.length] };
    offset += 4 * t.data.length;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, json.length % 2 ** 32, true);
  view.setUint32(4, Math.floor(json.length / 2 ** 32), true);
  out.set(json, 8);
  let pos = 8 + json.length;
  for (const [, t] of entries) {
    for (let i = 0; i < t.data.length; i++) view.setFloat32(pos + 4 * i, t.data[i] ?? 0, true);
    pos += 4 * t.data.length;
  }
  return out;
}
