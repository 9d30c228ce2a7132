import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@regstudy/trainer/node';
await useBackend('wasm', { threads: 2 });
const shapes = [[64,16,16,64,64],[64,8,8,128,128],[64,4,4,256,256],[64,2,2,512,512]];
for (const [n,h,w,ci,co] of shapes) {
  const x = tf.randomNormal([n,h,w,ci]); const dy = tf.randomNormal([n,h,w,co]);
  const xT = tf.transpose(x,[3,1,2,0]); const dyT = tf.transpose(dy,[1,2,0,3]);
  const t = { full: [], fresh: [], cached: [], trx: [], trdy: [] };
  for (let i = 0; i < 6; i++) {
    let t0 = performance.now(); const g = tf.engine().runKernel('Conv2DBackpropFilter', {x, dy}, {strides:[1,1], pad:'same', dataFormat:'NHWC', dimRoundingMode: undefined, filterShape:[3,3,ci,co]}); g.dataSync(); t.full.push(performance.now()-t0); g.dispose();
    const f = tf.add(dyT, 0); f.dataSync();
    t0 = performance.now(); let o = tf.conv2d(xT, f, 1, [[0,0],[1,1],[1,1],[0,0]]); o.dataSync(); t.fresh.push(performance.now()-t0); o.dispose();
    t0 = performance.now(); o = tf.conv2d(xT, f, 1, [[0,0],[1,1],[1,1],[0,0]]); o.dataSync(); t.cached.push(performance.now()-t0); o.dispose(); f.dispose();
    t0 = performance.now(); o = tf.transpose(x,[3,1,2,0]); o.dataSync(); t.trx.push(performance.now()-t0); o.dispose();
    t0 = performance.now(); o = tf.transpose(dy,[1,2,0,3]); o.dataSync(); t.trdy.push(performance.now()-t0); o.dispose();
  }
  const med = (a) => [...a].sort((p,q)=>p-q)[a.length>>1].toFixed(1);
  console.log([n,h,w,ci,co].join('x'), Object.entries(t).map(([k,v])=>`${k} ${med(v)}`).join('  '));
  tf.dispose([x,dy,xT,dyT]);
}
