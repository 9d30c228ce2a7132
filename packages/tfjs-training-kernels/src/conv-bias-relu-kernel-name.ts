/**
 * Name of the fused training convolution kernel: inputs `x` (`[N, H, W, Ci]`), `filter`
 * (`[kh, kw, Ci, Co]`), `bias` (`[Co]`), float32 NHWC, attrs {@link ConvBiasReluAttrs}; output
 *
 *   y = relu(conv2d(x, filter) + bias)
 *
 * with the same bits as the three ops one after the other, and a registered gradient that, like
 * theirs, computes only the gradients the tape asks for. Registered for the wasm backend only
 * (`registerWasmTrainingKernels`); `lazyConvGradients` uses it where it is registered for the
 * active backend.
 */
export const CONV_BIAS_RELU_KERNEL = 'RegstudyConv2DBiasRelu';

/** Attributes of {@link CONV_BIAS_RELU_KERNEL} (stride-any, undilated, channels-last). */
export interface ConvBiasReluAttrs {
  strides: [number, number];
  pad: 'same' | 'valid';
}
