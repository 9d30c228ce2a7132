/** A wasm memory with a bump allocator (8-byte aligned, like emscripten's malloc) that grows it as needed. */
export function bumpHeap(pages = 64, shared = false): { memory: WebAssembly.Memory; alloc: (bytes: number) => number } {
  const memory = new WebAssembly.Memory(shared ? { initial: pages, maximum: 4096, shared: true } : { initial: pages });
  let top = 1024;
  const alloc = (bytes: number): number => {
    const p = top;
    top += Math.ceil(bytes / 8) * 8;
    const need = Math.ceil(top / 65536) - memory.buffer.byteLength / 65536;
    if (need > 0) memory.grow(need);
    return p;
  };
  return { memory, alloc };
}
