/**
 * Derives the seed of one weight from the model seed, the layer name and the weight name, so that
 * every weight draws from its own stream and the result does not depend on construction order.
 *
 * Hash: 32-bit FNV-1a over the UTF-16 code units of `${seed}|${layer}|${weight}`, followed by the
 * murmur3 finaliser for avalanche. Returns an integer in [0, 2^32).
 */
export function deriveSeed(seed: number, layer: string, weight: string): number {
  const text = `${seed}|${layer}|${weight}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
