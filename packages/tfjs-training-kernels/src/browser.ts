// Browser entry of @regstudy/tfjs-training-kernels (`@regstudy/tfjs-training-kernels/browser`): re-exports only.
export { browserBackendChoices, useBrowserBackend } from './use-browser-backend';
export type { BrowserBackendChoice, UseBrowserBackendOptions } from './use-browser-backend';
export { isSoftwareAdapter } from './webgpu/adapter';
export { isSoftwareRenderer, probeWebGl } from './webgl-renderer';
export type { WebGlProbe, WebGlRendererInfo } from './webgl-renderer';
export type { BackendSelection } from './select-backend';
export { createWebThreadedGemm } from './wasm/runtime/web-gemm-threads';
