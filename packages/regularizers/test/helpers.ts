import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { expect } from 'vitest';

export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

/** Runs `fn` and asserts that the number of live tensors did not grow. */
export function expectNoLeak<T>(fn: () => T): T {
  const before = tf.memory().numTensors;
  const out = fn();
  expect(tf.memory().numTensors).toBe(before);
  return out;
}

/** Reads a scalar tensor and disposes it. */
export function take(t: tf.Tensor): number {
  const v = t.dataSync()[0];
  t.dispose();
  if (v === undefined) throw new Error('empty tensor');
  return v;
}

/** Reads a tensor as a plain array and disposes it. */
export function takeArray(t: tf.Tensor): number[] {
  const v = Array.from(t.dataSync());
  t.dispose();
  return v;
}

let counter = 0;
/** A trainable variable with a unique name. */
export function variable(values: number[] | number[][], name = 'v', trainable = true): tf.Variable {
  counter += 1;
  return tf.variable(tf.tensor(values), trainable, `${name}_${counter}`);
}
