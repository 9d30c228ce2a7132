/**
 * Index maps between PyTorch and tfjs weight layouts. Each function calls `visit(tfIndex, torchIndex)`
 * for every element, so the same map serves loading (`tf[i] = torch[j]`) and export (`torch[j] = tf[i]`).
 */
export type IndexVisitor = (tfIndex: number, torchIndex: number) => void;

/**
 * Conv kernel: PyTorch OIHW `[out, in, kh, kw]` <-> tfjs HWIO `[kh, kw, in, out]`:
 * `tf[((y*KW + x)*I + i)*O + o] = torch[((o*I + i)*KH + y)*KW + x]`.
 */
export function convKernelMap(torchShape: readonly number[], visit: IndexVisitor): void {
  const [O = 0, I = 0, KH = 0, KW = 0] = torchShape;
  for (let y = 0; y < KH; y++)
    for (let x = 0; x < KW; x++)
      for (let i = 0; i < I; i++)
        for (let o = 0; o < O; o++) visit(((y * KW + x) * I + i) * O + o, ((o * I + i) * KH + y) * KW + x);
}

/**
 * Dense kernel: PyTorch `[out, in]` <-> tfjs `[in, out]`. When the layer reads a flattened `[H, W, C]`
 * feature map (`flattenFrom`), PyTorch's input index is the NCHW flatten order `(c*H + h)*W + w`
 * while tfjs's is the NHWC order `(h*W + w)*C + c`, so the rows are permuted as well:
 * `tf[((h*W + w)*C + c)*O + o] = torch[o*N + (c*H + h)*W + w]`.
 */
export function denseKernelMap(torchShape: readonly number[], visit: IndexVisitor, flattenFrom?: readonly [number, number, number]): void {
  const [O = 0, N = 0] = torchShape;
  if (!flattenFrom) {
    for (let n = 0; n < N; n++) for (let o = 0; o < O; o++) visit(n * O + o, o * N + n);
    return;
  }
  const [H, W, C] = flattenFrom;
  if (H * W * C !== N) throw new Error(`dense kernel has ${N} inputs but the flattened map is ${H}x${W}x${C}`);
  for (let h = 0; h < H; h++)
    for (let w = 0; w < W; w++)
      for (let c = 0; c < C; c++) {
        const r = (h * W + w) * C + c;
        const q = (c * H + h) * W + w;
        for (let o = 0; o < O; o++) visit(r * O + o, o * N + q);
      }
}
