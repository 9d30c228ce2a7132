/**
 * Builds safetensors bytes by hand for tests, independently of the package's writer: any dtype name,
 * raw bytes given by the caller, header not padded.
 */
export function rawSafetensors(
  entries: { name: string; dtype: string; shape: number[]; bytes: Uint8Array }[],
  metadata?: Record<string, string>,
): Uint8Array {
  const header: Record<string, unknown> = metadata ? { __metadata__: metadata } : {};
  let off = 0;
  for (const e of entries) {
    header[e.name] = { dtype: e.dtype, shape: e.shape, data_offsets: [off, off + e.bytes.length] };
    off += e.bytes.length;
  }
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const out = Buffer.alloc(8 + json.length + off);
  out.writeBigUInt64LE(BigInt(json.length), 0);
  json.copy(out, 8);
  let pos = 8 + json.length;
  for (const e of entries) {
    Buffer.from(e.bytes).copy(out, pos);
    pos += e.bytes.length;
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** Little-endian float32 bytes of `values`. */
export function f32Bytes(values: ArrayLike<number>): Uint8Array {
  const b = Buffer.alloc(4 * values.length);
  for (let i = 0; i < values.length; i++) b.writeFloatLE(values[i] ?? 0, 4 * i);
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}
