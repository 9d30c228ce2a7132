import { describe, expect, it } from 'vitest';
import { readSafetensors, safetensorsToFloat32, writeSafetensors } from '../src/index';
import { f32Bytes, rawSafetensors } from './helpers/raw-safetensors';

describe('safetensors reader', () => {
  it('reads a hand-built file: header, dtypes, shapes, metadata, little-endian F32 values', () => {
    const bytes = rawSafetensors(
      [
        { name: 'a', dtype: 'F32', shape: [2, 2], bytes: f32Bytes([1, -2.5, 3.25, 1e-7]) },
        { name: 'steps', dtype: 'I64', shape: [], bytes: new Uint8Array([7, 0, 0, 0, 0, 0, 0, 0]) },
      ],
      { format: 'pt' },
    );
    const file = readSafetensors(bytes);
    expect(file.metadata).toEqual({ format: 'pt' });
    expect([...file.tensors.keys()]).toEqual(['a', 'steps']);
    const a = file.tensors.get('a')!;
    expect(a.shape).toEqual([2, 2]);
    expect(Array.from(safetensorsToFloat32(a))).toEqual([1, -2.5, 3.25, Math.fround(1e-7)]);
    const steps = file.tensors.get('steps')!;
    expect(steps.dtype).toBe('I64');
    expect(() => safetensorsToFloat32(steps)).toThrow(/tensor "steps" has dtype I64; only F32 is supported/);
  });

  it('rejects malformed files with a message naming the problem', () => {
    expect(() => readSafetensors(new Uint8Array(4))).toThrow(/shorter than the 8-byte header length/);
    const tooLong = new Uint8Array(16);
    tooLong[0] = 200;
    expect(() => readSafetensors(tooLong)).toThrow(/runs past the end/);
    const notJson = rawSafetensors([]);
    notJson[8] = 0x41; // corrupt the '{'
    expect(() => readSafetensors(notJson)).toThrow(/header is not valid UTF-8 JSON/);
    const wrongSize = rawSafetensors([{ name: 'w', dtype: 'F32', shape: [3], bytes: f32Bytes([1, 2]) }]);
    expect(() => readSafetensors(wrongSize)).toThrow(/tensor "w": 8 bytes for dtype F32 and shape \[3\], expected 12/);
    const badDtype = rawSafetensors([{ name: 'w', dtype: 'F31', shape: [1], bytes: f32Bytes([1]) }]);
    expect(() => readSafetensors(badDtype)).toThrow(/tensor "w": unknown dtype "F31"/);
  });
});

describe('safetensors writer', () => {
  it('writes the documented layout: u64 LE header length (multiple of 8), JSON, raw LE data', () => {
    const bytes = writeSafetensors({ x: { shape: [3], data: new Float32Array([1, 2, 3]) } }, { format: 'pt' });
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const n = view.getUint32(0, true);
    expect(view.getUint32(4, true)).toBe(0);
    expect(n % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header).toEqual({ __metadata__: { format: 'pt' }, x: { dtype: 'F32', shape: [3], data_offsets: [0, 12] } });
    expect(bytes.length).toBe(8 + n + 12);
    expect(view.getFloat32(8 + n + 8, true)).toBe(3);
  });

  it('round-trips through the reader, keeping order', () => {
    const data = new Float32Array([0.1, -0.2, 0.3, 4e10, -0, 5]);
    const bytes = writeSafetensors([
      ['z.weight', { shape: [2, 3], data }],
      ['a.bias', { shape: [1], data: new Float32Array([9]) }],
    ]);
    const file = readSafetensors(bytes);
    expect([...file.tensors.keys()]).toEqual(['z.weight', 'a.bias']);
    expect(safetensorsToFloat32(file.tensors.get('z.weight')!)).toEqual(data);
    expect(file.metadata).toEqual({});
  });

  it('rejects a data length that does not match the shape', () => {
    expect(() => writeSafetensors({ x: { shape: [2, 2], data: new Float32Array(3) } })).toThrow(/tensor "x": 3 values for shape \[2, 2\]/);
  });
});
