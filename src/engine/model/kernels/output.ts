/**
 * The atomic-ID output head, forward beside backward: item logits, softmax cross-entropy and the mean loss, then
 * the gradient of the decoder output and of the item table and bias.
 * Each forward kernel says which plain tfjs ops of `retriever.ts` it replaces; "dx" kernels write activations'
 * gradients to a new buffer, "weight" kernels add parameter gradients into the arena's g segment in a fixed order.
 */
import { groupsFor, type FusedKernel } from './program';
import type { ArenaLayout } from './layout';
import { shapeConstants, type Packing } from './packing';
import { REDUCE, softmaxCrossEntropyWgsl, workgroupMain, elementMain } from './wgsl';

/** Item logits y·Eᵀ + bias, softmax, cross-entropy and its gradient, a workgroup per
 *  example. Output [B, items + 1]: (softmax − onehot)/B, then the example's loss
 *  (replaces matMul, add, logSoftmax, oneHot, mul, sum, mean and their gradients). */
export function softmaxCrossEntropy(l: ArenaLayout, B: number, p: Packing): FusedKernel {
  return {
    name: 'BridgeSoftmaxCrossEntropy', inputs: ['dec', 'batch', 'theta'], constants: { ...shapeConstants(l, B), ...p },
    workgroups: B, outputSize: B * (l.items + 1), dtype: 'float32', inPlace: false,
    body: `${REDUCE}
${workgroupMain('b')}
  let o = b * (ITEMS + 1);
  let y = b * E_STRIDE + E_Y;
${softmaxCrossEntropyWgsl({ n: 'ITEMS', x: 'y', row: (c) => `${c} * DIM`, bias: (c) => `O_BIAS + ${c}`, answer: 'batch[ROWS + b]', loss: 'ITEMS' })}
}`,
  };
}

/** Item logits y·Eᵀ + bias for inference, a workgroup per example: [B, items]
 *  (replaces the head's matMul and add; the softmax is the reader's). */
export function itemLogits(l: ArenaLayout, B: number, p: Packing): FusedKernel {
  return {
    name: 'BridgeItemLogits', inputs: ['dec', 'theta'], constants: { ...shapeConstants(l, B), ...p },
    workgroups: B, outputSize: B * l.items, dtype: 'float32', inPlace: false,
    body: `
fn main(index: i32) {
  let b = wg();
  let y = b * E_STRIDE + E_Y;
  for (var i = lid(); i < ITEMS; i += WGS) {
    var acc = 0.0;
    for (var d = 0; d < DIM; d++) { acc += dec[y + d] * theta[i * DIM + d]; }
    result[b * ITEMS + i] = acc + theta[O_BIAS + i];
  }
}`,
  };
}

/** The batch's mean loss, one workgroup: [1]. */
export function meanLoss(l: ArenaLayout, B: number): FusedKernel {
  return {
    name: 'BridgeMeanLoss', inputs: ['ce'], constants: shapeConstants(l, B), workgroups: 1, outputSize: 1, dtype: 'float32', inPlace: false,
    body: `${REDUCE}
fn main(index: i32) {
  let t = lid();
  var acc = 0.0;
  for (var b = t; b < BATCH; b += WGS) { acc += ce[b * (ITEMS + 1) + ITEMS]; }
  let total = reduceSum(t, acc);
  if (t == 0) { result[0] = total / f32(BATCH); }
}`,
  };
}

/** Gradient of the decoder output y: dlogits · E (the tied item table). */
export function outputBackward(l: ArenaLayout, B: number): FusedKernel {
  return {
    name: 'BridgeOutputBackward', inputs: ['ce', 'theta'], constants: shapeConstants(l, B),
    workgroups: groupsFor(B * l.dim), outputSize: B * l.dim, dtype: 'float32', inPlace: false,
    body: `
${elementMain('BATCH', 'DIM', 'b', 'd')}
  var acc = 0.0;
  for (var n = 0; n < ITEMS; n++) { acc += ce[b * (ITEMS + 1) + n] * theta[n * DIM + d]; }
  result[i] = acc;
}`,
  };
}

/** Gradient of the item table as output rows (dlogitsᵀ · y) and of the item bias. */
export function outputWeightGrad(l: ArenaLayout, B: number, p: Packing): FusedKernel {
  return {
    name: 'BridgeOutputWeightGrad', inputs: ['ce', 'dec'], constants: { ...shapeConstants(l, B), ...p },
    workgroups: groupsFor(l.items * (l.dim + 1)), outputSize: 0, dtype: 'float32', inPlace: true,
    body: `
fn main(index: i32) {
  let i = wg() * WGS + lid();
  if (i >= ITEMS * (DIM + 1)) { return; }
  let n = i / (DIM + 1);
  let c = i % (DIM + 1);
  var acc = 0.0;
  if (c < DIM) {
    for (var b = 0; b < BATCH; b++) { acc += ce[b * (ITEMS + 1) + n] * dec[b * E_STRIDE + E_Y + c]; }
    result[G + n * DIM + c] += acc;
  } else {
    for (var b = 0; b < BATCH; b++) { acc += ce[b * (ITEMS + 1) + n]; }
    result[G + O_BIAS + n] += acc;
  }
}`,
  };
}
