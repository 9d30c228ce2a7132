import sharp from 'sharp';
import { IMAGE_BYTES, IMAGE_SIZE } from './layout';

/**
 * Decodes one JPEG (or any format libvips reads) into `out` at byte `offset`: 64x64 RGB uint8,
 * row-major HWC. Grayscale images are expanded to RGB (R = G = B = Y) by libvips' sRGB
 * conversion; an alpha channel is dropped. Throws when the data is corrupt or truncated
 * (libvips' `failOn: 'warning'`) or when the image is not 64x64.
 */
export async function decodeInto(data: Buffer, out: Uint8Array, offset: number): Promise<void> {
  const { data: px, info } = await sharp(data, { failOn: 'warning' })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.width !== IMAGE_SIZE || info.height !== IMAGE_SIZE) {
    throw new Error(`image is ${info.width}x${info.height}x${info.channels}, expected ${IMAGE_SIZE}x${IMAGE_SIZE}x3`);
  }
  if (info.channels === 3) {
    out.set(px, offset);
  } else if (info.channels === 1) {
    for (let i = 0; i < IMAGE_SIZE * IMAGE_SIZE; i++) {
      const v = px[i]!;
      out[offset + 3 * i] = v;
      out[offset + 3 * i + 1] = v;
      out[offset + 3 * i + 2] = v;
    }
  } else {
    throw new Error(`image has ${info.channels} channels after conversion, expected 3`);
  }
  if (px.length < (info.channels === 1 ? IMAGE_BYTES / 3 : IMAGE_BYTES)) throw new Error('decoded image is short');
}
