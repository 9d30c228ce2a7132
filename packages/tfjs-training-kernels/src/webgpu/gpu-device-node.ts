import { existsSync, readdirSync } from 'node:fs';

/**
 * True unless this is Linux without a GPU device node (`/dev/nvidia0`, `/dev/dri/renderD*`).
 * `useBackend('auto')` asks this before loading Dawn, which on a machine without a GPU only prints
 * Vulkan warnings and finds no adapter. Other platforms (Metal, D3D12) have no such nodes: true.
 */
export function hasGpuDeviceNode(): boolean {
  if (process.platform !== 'linux') return true;
  if (existsSync('/dev/nvidia0')) return true;
  try {
    return readdirSync('/dev/dri').some((f) => f.startsWith('renderD'));
  } catch {
    return false;
  }
}
