/** Minimal WebGPU adapter surface used to describe adapters and reject software ones. */
export interface GpuAdapterLike {
  isFallbackAdapter?: boolean;
  info?: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
}

/** Minimal `navigator.gpu` surface. */
export interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<GpuAdapterLike | null>;
}

/**
 * True when a WebGPU adapter is a software rasteriser: a fallback adapter, SwiftShader, llvmpipe or
 * lavapipe. Such adapters train the study's models about 100x slower than wasm.
 */
export function isSoftwareAdapter(adapter: GpuAdapterLike): boolean {
  if (adapter.isFallbackAdapter === true || adapter.info?.isFallbackAdapter === true) return true;
  return /swiftshader|llvmpipe|lavapipe|software/i.test(describeAdapter(adapter));
}

/** One line naming an adapter, e.g. `nvidia hopper (NVIDIA H200)`. */
export function describeAdapter(adapter: GpuAdapterLike): string {
  const i = adapter.info ?? {};
  const head = [i.vendor, i.architecture].filter((s) => s !== undefined && s !== '').join(' ');
  const detail = i.description !== undefined && i.description !== '' ? i.description : i.device;
  const text = detail !== undefined && detail !== '' ? `${head} (${detail})` : head;
  return text === '' ? 'unnamed adapter' : text;
}
