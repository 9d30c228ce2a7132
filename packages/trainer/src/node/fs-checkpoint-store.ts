import { nodeModules, writeAtomic } from '../internal/node-fs';
import { isRemovableTempFile } from '../internal/pid-alive';
import type { CheckpointState, CheckpointStore, SavedTensor } from '../loop/checkpoint';

interface TensorEntry {
  group: 'weights' | 'optimizer';
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  /** Byte offset into the .bin file. */
  offset: number;
  /** Number of elements. */
  length: number;
}

interface CheckpointFile extends Omit<CheckpointState, 'weights' | 'optimizer'> {
  tensors: TensorEntry[];
  binBytes: number;
}

interface Manifest {
  version: 1;
  epoch: number;
  json: string;
  bin: string;
}

const MANIFEST = 'manifest.json';

/**
 * A {@link CheckpointStore} in a directory. Each save writes `ckpt-<epoch>.bin` (all tensor bytes),
 * then `ckpt-<epoch>.json` (history, RNG, tensor index), each to a temporary file that is fsynced
 * and renamed into place, and only then `manifest.json` (same way) naming that epoch; older
 * checkpoint files are removed afterwards, and so are temporary files of this process or of a
 * writer that is no longer alive (never another live process's). A crash at any moment leaves the manifest pointing at
 * the previous complete checkpoint. A failed save (a full disk: `DiskFullError`) removes
 * this epoch's files and temporary files and rethrows; the previous checkpoint still loads.
 */
export function fsCheckpointStore(dir: string): CheckpointStore & { readonly dir: string } {
  return {
    dir,
    async load() {
      const { fs, path } = await nodeModules();
      let manifest: Manifest;
      try {
        manifest = JSON.parse(await fs.readFile(path.join(dir, MANIFEST), 'utf8')) as Manifest;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw new Error(`checkpoint ${path.join(dir, MANIFEST)}: unreadable (${(error as Error).message})`);
      }
      const file = JSON.parse(await fs.readFile(path.join(dir, manifest.json), 'utf8')) as CheckpointFile;
      const bin = await fs.readFile(path.join(dir, manifest.bin));
      if (bin.byteLength !== file.binBytes) {
        throw new Error(`checkpoint ${path.join(dir, manifest.bin)}: expected ${file.binBytes} bytes, found ${bin.byteLength}`);
      }
      const weights: SavedTensor[] = [];
      const optimizer: SavedTensor[] = [];
      for (const t of file.tensors) {
        const bytes = bin.buffer.slice(bin.byteOffset + t.offset, bin.byteOffset + t.offset + t.length * 4);
        const data = t.dtype === 'int32' ? new Int32Array(bytes) : new Float32Array(bytes);
        (t.group === 'weights' ? weights : optimizer).push({ name: t.name, shape: t.shape, dtype: t.dtype, data });
      }
      const { tensors: _t, binBytes: _b, ...rest } = file;
      return { ...rest, weights, optimizer };
    },
    async save(state) {
      const { fs, path } = await nodeModules();
      await fs.mkdir(dir, { recursive: true });
      const stem = `ckpt-${String(state.epoch).padStart(6, '0')}`;
      const tensors: TensorEntry[] = [];
      const chunks: Uint8Array[] = [];
      let offset = 0;
      const add = (group: TensorEntry['group'], t: SavedTensor) => {
        tensors.push({ group, name: t.name, shape: t.shape, dtype: t.dtype, offset, length: t.data.length });
        chunks.push(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
        offset += t.data.byteLength;
      };
      state.weights.forEach((t) => add('weights', t));
      state.optimizer.forEach((t) => add('optimizer', t));
      const { weights: _w, optimizer: _o, ...rest } = state;
      const file: CheckpointFile = { ...rest, tensors, binBytes: offset };
      const manifest: Manifest = { version: 1, epoch: state.epoch, json: `${stem}.json`, bin: `${stem}.bin` };
      try {
        await writeAtomic(fs, path.join(dir, manifest.bin), chunks);
        await writeAtomic(fs, path.join(dir, manifest.json), [new TextEncoder().encode(JSON.stringify(file))]);
        await writeAtomic(fs, path.join(dir, MANIFEST), [new TextEncoder().encode(JSON.stringify(manifest, null, 2))]);
      } catch (error) {
        // The manifest still names the previous checkpoint: drop this epoch's files (unless the
        // manifest already names them, i.e. the same epoch was saved before).
        const current = await fs.readFile(path.join(dir, MANIFEST), 'utf8').catch(() => '');
        if (!current.includes(`"${manifest.bin}"`)) {
          await fs.rm(path.join(dir, manifest.bin), { force: true });
          await fs.rm(path.join(dir, manifest.json), { force: true });
        }
        throw error;
      }
      for (const name of await fs.readdir(dir)) {
        if (/^ckpt-\d+\.(bin|json)$/.test(name) && !name.startsWith(stem)) await fs.rm(path.join(dir, name), { force: true });
        // Only this process's leftovers and those of dead writers: never another live process's in-flight file.
        if (isRemovableTempFile(name)) await fs.rm(path.join(dir, name), { force: true });
      }
    },
  };
}

