/**
 * The input embedding, forward and backward: the step's batch copied out of the uploaded training data, the
 * item/word and position rows gathered and added, and the input table's gradient (a scatter-add by token).
 * Each forward kernel says which plain tfjs ops of `retriever.ts` it replaces; "dx" kernels write activations'
 * gradients to a new buffer, "weight" kernels add parameter gradients into the arena's g segment in a fixed order.
 */
import { groupsFor, type FusedKernel } from './program';
import type { ArenaLayout } from './layout';
import { shapeConstants, type Packing } from './packing';
import { workgroupMain, elementMain, positionGradWgsl } from './wgsl';

/** Copies the step's batch (token rows and targets) out of the training data uploaded
 *  once, by the epoch's schedule: replaces a host-side gather and an upload per step. */
export function gatherBatch(l: ArenaLayout, B: number): FusedKernel {
  return {
    name: 'BridgeGatherBatch', inputs: ['tokens', 'targets', 'schedule'], constants: shapeConstants(l, B),
    workgroups: groupsFor(B * l.seq + B), outputSize: B * l.seq + B, dtype: 'int32', inPlace: false, uniforms: 'step : i32,',
    body: `
fn main(index: i32) {
  let i = wg() * WGS + lid();
  if (i < ROWS) {
    let row = schedule[uniforms.step * BATCH + i / SEQ];
    result[i] = tokens[row * SEQ + i % SEQ];
  } else if (i < ROWS + BATCH) {
    result[i] = targets[schedule[uniforms.step * BATCH + i - ROWS]];
  }
}`,
  };
}

/** Input embedding: gather of item/word rows plus the position rows (concat, gather, add). */
export function embed(l: ArenaLayout, B: number): FusedKernel {
  return {
    name: 'BridgeEmbed', inputs: ['batch', 'theta'], constants: shapeConstants(l, B),
    workgroups: groupsFor(B * l.seq * l.dim), outputSize: B * l.seq * l.dim, dtype: 'float32', inPlace: false,
    body: `
${elementMain('ROWS', 'DIM', 'r', 'd')}
  result[i] = theta[batch[r] * DIM + d] + theta[O_POS + (r % SEQ) * DIM + d];
}`,
  };
}

/** Gradient of the input table (a scatter-add of the rows' dx by token, summed in row
 *  order: deterministic, no atomics) and of the position rows. A workgroup per table
 *  row (skipped at once when the batch does not use it), then one per position. */
export function embedGrad(l: ArenaLayout, B: number, p: Packing): FusedKernel {
  return {
    name: 'BridgeEmbedGrad', inputs: ['bwd', 'batch'], constants: { ...shapeConstants(l, B), ...p },
    workgroups: l.table + l.seq, outputSize: 0, dtype: 'float32', inPlace: true,
    body: `
var<workgroup> hit: atomic<u32>;
${workgroupMain('w')}
  for (var r = t; r < ROWS; r += WGS) { if (batch[r] == w) { atomicStore(&hit, 1u); } }
  workgroupBarrier();
  if (w >= TABLE) {
    let s = w - TABLE;
${positionGradWgsl('bwd')}
    return;
  }
  if (atomicLoad(&hit) == 0u) { return; }
  for (var d = t; d < DIM; d += WGS) {
    var acc = 0.0;
    for (var r = 0; r < ROWS; r++) { if (batch[r] == w) { acc += bwd[r * B_STRIDE + B_DX + d]; } }
    result[G + w * DIM + d] += acc;
  }
}`,
  };
}
