/** What a WebGL context says about the GPU behind it. */
export interface WebGlRendererInfo {
  /**
   * The renderer string: `WEBGL_debug_renderer_info`'s `UNMASKED_RENDERER_WEBGL` where the browser
   * exposes it, else `gl.RENDERER`, e.g. `ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device ...))`.
   */
  renderer: string;
  /**
   * True when the browser refuses a context created with `failIfMajorPerformanceCaveat: true`
   * (WebGL 1.0 spec, 5.2 WebGLContextAttributes): it would render in software or much slower.
   */
  majorPerformanceCaveat: boolean;
}

/** Reads {@link WebGlRendererInfo} from a fresh context; `null` where no WebGL context can be made. */
export type WebGlProbe = () => WebGlRendererInfo | null;

// WEBGL_debug_renderer_info.UNMASKED_RENDERER_WEBGL and WebGLRenderingContext.RENDERER.
const UNMASKED_RENDERER_WEBGL = 0x9246;
const RENDERER = 0x1f01;

interface GlLike {
  getExtension(name: string): unknown;
  getParameter(pname: number): unknown;
}
interface CanvasLike {
  getContext(kind: string, attributes?: Record<string, unknown>): unknown;
}

function newCanvas(): CanvasLike | null {
  const g = globalThis as {
    OffscreenCanvas?: new (w: number, h: number) => CanvasLike;
    document?: { createElement(tag: string): CanvasLike };
  };
  if (g.OffscreenCanvas !== undefined) return new g.OffscreenCanvas(1, 1);
  if (g.document !== undefined) return g.document.createElement('canvas');
  return null;
}

function context(attributes: Record<string, unknown>): GlLike | null {
  const canvas = newCanvas();
  if (canvas === null) return null;
  const gl = (canvas.getContext('webgl2', attributes) ?? canvas.getContext('webgl', attributes)) as GlLike | null;
  return gl ?? null;
}

function release(gl: GlLike): void {
  (gl.getExtension('WEBGL_lose_context') as { loseContext?: () => void } | null)?.loseContext?.();
}

/**
 * The default {@link WebGlProbe}: makes a 1x1 WebGL2 (else WebGL) context, reads its renderer
 * string, checks whether a context with `failIfMajorPerformanceCaveat` is refused, and releases both.
 */
export const probeWebGl: WebGlProbe = () => {
  const gl = context({});
  if (gl === null) return null;
  try {
    const unmasked = gl.getExtension('WEBGL_debug_renderer_info') !== null ? gl.getParameter(UNMASKED_RENDERER_WEBGL) : null;
    const renderer = String(unmasked ?? gl.getParameter(RENDERER) ?? '');
    const strict = context({ failIfMajorPerformanceCaveat: true });
    if (strict !== null) release(strict);
    return { renderer, majorPerformanceCaveat: strict === null };
  } finally {
    release(gl);
  }
};

/**
 * True when WebGL runs on a software rasteriser (SwiftShader, llvmpipe, lavapipe, Microsoft Basic
 * Render, or any renderer the browser flags with a major performance caveat). tfjs-backend-webgl on
 * SwiftShader trained the study's models at 3-5 images/s where wasm did 112-191 on the same page.
 */
export function isSoftwareRenderer(info: WebGlRendererInfo): boolean {
  return info.majorPerformanceCaveat || /swiftshader|llvmpipe|lavapipe|softpipe|software|basic render/i.test(info.renderer);
}
