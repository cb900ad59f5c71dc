/**
 * The fused Adam update over every parameter of the arena at once.
 * Each forward kernel says which plain tfjs ops of `retriever.ts` it replaces; "dx" kernels write activations'
 * gradients to a new buffer, "weight" kernels add parameter gradients into the arena's g segment in a fixed order.
 */
import { groupsFor, type FusedKernel } from './program';
import type { ArenaLayout } from './layout';
import { shapeConstants } from './packing';

/** Adam over every parameter at once (tfjs's ~12 ops per variable), then clears g. */
export function adam(l: ArenaLayout, B: number): FusedKernel {
  return {
    name: 'BridgeAdam', inputs: [], constants: { ...shapeConstants(l, B), EPS: 1e-7 },
    workgroups: groupsFor(l.P), outputSize: 0, dtype: 'float32', inPlace: true,
    uniforms: 'lr : f32, oneMinusAccBeta1 : f32, oneMinusAccBeta2 : f32,',
    body: `
fn main(index: i32) {
  let i = wg() * WGS + lid();
  if (i >= PARAMS) { return; }
  let g = result[G + i];
  let m = result[PARAMS + i] * 0.9 + g * 0.1;
  let v = result[2 * PARAMS + i] * 0.999 + (g * g) * 0.001;
  result[PARAMS + i] = m;
  result[2 * PARAMS + i] = v;
  let step = (m / uniforms.oneMinusAccBeta1) / (sqrt(v / uniforms.oneMinusAccBeta2) + EPS);
  result[i] = step * (-uniforms.lr) + result[i];
  result[G + i] = 0.0;
}`,
  };
}
