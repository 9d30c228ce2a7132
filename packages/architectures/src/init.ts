import { initializers } from '@tensorflow/tfjs-layers';
import type { Initializer } from './options';
import { deriveSeed } from './seed';

/**
 * PyTorch's default initialisation of `nn.Conv2d` / `nn.Linear` weights and biases:
 * `kaiming_uniform_(w, a=sqrt(5))` gives `w ~ U(-b, b)` with
 * `b = gain * sqrt(3 / fan_in)`, `gain = sqrt(2 / (1 + a^2)) = sqrt(1/3)`, hence `b = 1 / sqrt(fan_in)`;
 * the bias is `U(-1/sqrt(fan_in), 1/sqrt(fan_in))` too.
 * `fan_in` = in_channels * kh * kw for a conv, in_features for a linear layer.
 */
export function torchDefaultUniform(fanIn: number, seed: number, layer: string, weight: string): Initializer {
  const bound = 1 / Math.sqrt(fanIn);
  return initializers.randomUniform({ minval: -bound, maxval: bound, seed: deriveSeed(seed, layer, weight) });
}

/**
 * torchvision's ResNet conv initialisation, `kaiming_normal_(w, mode='fan_out', nonlinearity='relu')`:
 * `w ~ N(0, std^2)` (not truncated) with `std = sqrt(2 / fan_out)`, `fan_out = out_channels * kh * kw`.
 */
export function kaimingNormalFanOut(fanOut: number, seed: number, layer: string, weight: string): Initializer {
  return initializers.randomNormal({ mean: 0, stddev: Math.sqrt(2 / fanOut), seed: deriveSeed(seed, layer, weight) });
}
