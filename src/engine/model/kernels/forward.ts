/**
 * Forward kernels of the fused WebGPU step, in the order they run. Each comment says
 * which plain tfjs ops of `retriever.ts` it replaces. The math is the same: post-norm
 * layer norm without scale (eps 1e-5), additive −1e9 key mask, softmax cross-entropy.
 */
import { groupsFor, type FusedKernel } from './program';
import type { ArenaLayout } from './layout';
import { blockConstants, shapeConstants, type Packing, type View } from './packing';

/** Normalises DIM values of `result` in place from `at`, storing 1/σ at `rstdAt`. */
const LAYER_NORM = `
fn layerNorm(at: i32, rstdAt: i32) {
  var mean = 0.0;
  for (var j = 0; j < DIM; j++) { mean += result[at + j]; }
  mean = mean / f32(DIM);
  var vr = 0.0;
  for (var j = 0; j < DIM; j++) { let d = result[at + j] - mean; vr += d * d; }
  let rstd = 1.0 / sqrt(vr / f32(DIM) + 1e-5);
  for (var j = 0; j < DIM; j++) { result[at + j] = (result[at + j] - mean) * rstd; }
  result[rstdAt] = rstd;
}
`;

/** Sum and max over the 64 threads of a workgroup (`red` is workgroup memory). */
const REDUCE = `
var<workgroup> red: array<f32, 64>;
fn reduceMax(t: i32, v: f32) -> f32 {
  red[t] = v;
  workgroupBarrier();
  for (var s = WGS / 2; s > 0; s = s / 2) { if (t < s) { red[t] = max(red[t], red[t + s]); } workgroupBarrier(); }
  let r = red[0];
  workgroupBarrier();
  return r;
}
fn reduceSum(t: i32, v: f32) -> f32 {
  red[t] = v;
  workgroupBarrier();
  for (var s = WGS / 2; s > 0; s = s / 2) { if (t < s) { red[t] = red[t] + red[t + s]; } workgroupBarrier(); }
  let r = red[0];
  workgroupBarrier();
  return r;
}
`;

const KEY_BIAS = `fn keyBias(r: i32) -> f32 { return select(-1e9, 0.0, batch[r] != PAD); }`;

/** Softmax of SEQ consecutive scores in the output buffer, in place (max-subtracted, as tfjs). */
const SOFTMAX = `
fn softmaxInPlace(at: i32) {
  var mx = -3.0e38;
  for (var j = 0; j < SEQ; j++) { mx = max(mx, result[at + j]); }
  var sum = 0.0;
  for (var j = 0; j < SEQ; j++) { let ex = exp(result[at + j] - mx); result[at + j] = ex; sum += ex; }
  for (var j = 0; j < SEQ; j++) { result[at + j] = result[at + j] / sum; }
}
`;
const X_VIEW = `fn xv(r: i32, k: i32) -> f32 { return xin[r * X_STRIDE + X_OFF + k]; }`;

/** What both attention kernels (encoder block, decoder) use. */
const ATTENTION_HELPERS = [LAYER_NORM, SOFTMAX, KEY_BIAS, X_VIEW].join('\n');

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
fn main(index: i32) {
  let i = wg() * WGS + lid();
  if (i >= ROWS * DIM) { return; }
  let r = i / DIM;
  let d = i % DIM;
  result[i] = theta[batch[r] * DIM + d] + theta[O_POS + (r % SEQ) * DIM + d];
}`,
  };
}

/** One encoder layer's attention half, a workgroup per sequence: q/k/v projections,
 *  masked softmax(q·kᵀ/√dh), p·v, the output projection, the residual and the layer
 *  norm (≈ 20 plain ops and their reshapes/transposes). */
export function attentionBlock(l: ArenaLayout, B: number, p: Packing, layer: number, x: View): FusedKernel {
  return {
    name: 'BridgeAttentionBlock', inputs: ['xin', 'batch', 'theta'],
    constants: { ...shapeConstants(l, B), ...blockConstants(l.encoder[layer]), ...p, X_STRIDE: x.stride, X_OFF: x.offset },
    workgroups: B, outputSize: B * l.seq * p.A_STRIDE, dtype: 'float32', inPlace: false,
    body: `${ATTENTION_HELPERS}
fn main(index: i32) {
  let b = wg();
  let t = lid();
  let r0 = b * SEQ;
  for (var i = t; i < SEQ * 3 * DIM; i += WGS) {
    let s = i / (3 * DIM);
    let c = i % (3 * DIM);
    let w = O_WQ + (c / DIM) * DIM * DIM + c % DIM;
    var acc = 0.0;
    for (var k = 0; k < DIM; k++) { acc += xv(r0 + s, k) * theta[w + k * DIM]; }
    result[(r0 + s) * A_STRIDE + A_QKV + c] = acc;
  }
  storageBarrier();
  for (var i = t; i < HEADS * SEQ; i += WGS) {
    let h = i / SEQ;
    let pq = (r0 + i % SEQ) * A_STRIDE + A_P + h * SEQ;
    let q = (r0 + i % SEQ) * A_STRIDE + A_QKV + h * HD;
    for (var j = 0; j < SEQ; j++) {
      let k = (r0 + j) * A_STRIDE + A_QKV + DIM + h * HD;
      var sc = 0.0;
      for (var e = 0; e < HD; e++) { sc += result[q + e] * result[k + e]; }
      result[pq + j] = sc * SCALE + keyBias(r0 + j);
    }
    softmaxInPlace(pq);
  }
  storageBarrier();
  for (var i = t; i < SEQ * DIM; i += WGS) {
    let o = (r0 + i / DIM) * A_STRIDE;
    let c = i % DIM;
    let h = c / HD;
    var acc = 0.0;
    for (var j = 0; j < SEQ; j++) { acc += result[o + A_P + h * SEQ + j] * result[(r0 + j) * A_STRIDE + A_QKV + 2 * DIM + c]; }
    result[o + A_CTX + c] = acc;
  }
  storageBarrier();
  for (var i = t; i < SEQ * DIM; i += WGS) {
    let r = r0 + i / DIM;
    let j = i % DIM;
    var acc = 0.0;
    for (var k = 0; k < DIM; k++) { acc += result[r * A_STRIDE + A_CTX + k] * theta[O_WO + k * DIM + j]; }
    result[r * A_STRIDE + A_H + j] = xv(r, j) + acc;
  }
  storageBarrier();
  for (var s = t; s < SEQ; s += WGS) { layerNorm((r0 + s) * A_STRIDE + A_H, (r0 + s) * A_STRIDE + A_R); }
}`,
  };
}

/** One encoder layer's FFN half, a workgroup per row: relu(h·W1 + b1)·W2 + b2, the
 *  residual and the layer norm (≈ 12 plain ops). */
export function ffnBlock(l: ArenaLayout, B: number, p: Packing, layer: number): FusedKernel {
  return {
    name: 'BridgeFfnBlock', inputs: ['act', 'theta'], constants: { ...shapeConstants(l, B), ...blockConstants(l.encoder[layer]), ...p },
    workgroups: B * l.seq, outputSize: B * l.seq * p.F_STRIDE, dtype: 'float32', inPlace: false,
    body: `${LAYER_NORM}
fn hv(r: i32, k: i32) -> f32 { return act[r * A_STRIDE + A_H + k]; }
fn main(index: i32) {
  let r = wg();
  let t = lid();
  let o = r * F_STRIDE;
  for (var f = t; f < FFN; f += WGS) {
    var acc = 0.0;
    for (var k = 0; k < DIM; k++) { acc += hv(r, k) * theta[O_W1 + k * FFN + f]; }
    result[o + F_U + f] = max(acc + theta[O_B1 + f], 0.0);
  }
  storageBarrier();
  for (var j = t; j < DIM; j += WGS) {
    var acc = 0.0;
    for (var f = 0; f < FFN; f++) { acc += result[o + F_U + f] * theta[O_W2 + f * DIM + j]; }
    result[o + F_H + j] = hv(r, j) + (acc + theta[O_B2 + j]);
  }
  storageBarrier();
  if (t == 0) { layerNorm(o + F_H, o + F_R); }
}`,
  };
}

/** The whole one-step ID decoder, a workgroup per example: the start token's
 *  self-attention (its value map) and norm, cross-attention over the encoder rows, the
 *  output projection, norm, FFN and norm (≈ 45 plain ops). */
export function decoder(l: ArenaLayout, B: number, p: Packing, x: View): FusedKernel {
  return {
    name: 'BridgeDecoder', inputs: ['xin', 'batch', 'theta'],
    constants: { ...shapeConstants(l, B), ...blockConstants(l.decoder), ...p, X_STRIDE: x.stride, X_OFF: x.offset },
    workgroups: B, outputSize: B * p.E_STRIDE, dtype: 'float32', inPlace: false,
    body: `${ATTENTION_HELPERS}
fn main(index: i32) {
  let b = wg();
  let t = lid();
  let o = b * E_STRIDE;
  let r0 = b * SEQ;
  let bos = BOS_ROW * DIM;
  for (var j = t; j < DIM; j += WGS) {
    var acc = 0.0;
    for (var k = 0; k < DIM; k++) { acc += theta[bos + k] * theta[O_WVS + k * DIM + j]; }
    result[o + E_V0 + j] = acc;
  }
  storageBarrier();
  for (var j = t; j < DIM; j += WGS) {
    var acc = 0.0;
    for (var k = 0; k < DIM; k++) { acc += result[o + E_V0 + k] * theta[O_WO + k * DIM + j]; }
    result[o + E_Y0 + j] = theta[bos + j] + acc;
  }
  storageBarrier();
  if (t == 0) { layerNorm(o + E_Y0, o + E_R0); }
  storageBarrier();
  for (var j = t; j < DIM; j += WGS) {
    var acc = 0.0;
    for (var k = 0; k < DIM; k++) { acc += result[o + E_Y0 + k] * theta[O_WQ + k * DIM + j]; }
    result[o + E_Q + j] = acc;
  }
  for (var i = t; i < SEQ * 2 * DIM; i += WGS) {
    let s = i / (2 * DIM);
    let c = i % (2 * DIM);
    let w = O_WK + (c / DIM) * DIM * DIM + c % DIM;
    var acc = 0.0;
    for (var k = 0; k < DIM; k++) { acc += xv(r0 + s, k) * theta[w + k * DIM]; }
    result[o + E_KV + s * 2 * DIM + c] = acc;
  }
  storageBarrier();
  for (var h = t; h < HEADS; h += WGS) {
    for (var s = 0; s < SEQ; s++) {
      var sc = 0.0;
      for (var e = 0; e < HD; e++) { sc += result[o + E_KV + s * 2 * DIM + h * HD + e] * result[o + E_Q + h * HD + e]; }
      result[o + E_P + h * SEQ + s] = sc * SCALE + keyBias(r0 + s);
    }
    softmaxInPlace(o + E_P + h * SEQ);
  }
  storageBarrier();
  for (var c = t; c < DIM; c += WGS) {
    let h = c / HD;
    var acc = 0.0;
    for (var s = 0; s < SEQ; s++) { acc += result[o + E_P + h * SEQ + s] * result[o + E_KV + s * 2 * DIM + DIM + c]; }
    result[o + E_CTX + c] = acc;
  }
  storageBarrier();
  for (var j = t; j < DIM; j += WGS) {
    var acc = 0.0;
    for (var k = 0; k < DIM; k++) { acc += result[o + E_CTX + k] * theta[O_WO + k * DIM + j]; }
    result[o + E_H + j] = result[o + E_Y0 + j] + acc;
  }
  storageBarrier();
  if (t == 0) { layerNorm(o + E_H, o + E_RH); }
  storageBarrier();
  for (var f = t; f < FFN; f += WGS) {
    var acc = 0.0;
    for (var k = 0; k < DIM; k++) { acc += result[o + E_H + k] * theta[O_W1 + k * FFN + f]; }
    result[o + E_U + f] = max(acc + theta[O_B1 + f], 0.0);
  }
  storageBarrier();
  for (var j = t; j < DIM; j += WGS) {
    var acc = 0.0;
    for (var f = 0; f < FFN; f++) { acc += result[o + E_U + f] * theta[O_W2 + f * DIM + j]; }
    result[o + E_Y + j] = result[o + E_H + j] + (acc + theta[O_B2 + j]);
  }
  storageBarrier();
  if (t == 0) { layerNorm(o + E_Y, o + E_RY); }
}`,
  };
}

/** Item logits y·Eᵀ + bias, softmax, cross-entropy and its gradient, a workgroup per
 *  example. Output [B, items + 1]: (softmax − onehot)/B, then the example's loss
 *  (replaces matMul, add, logSoftmax, oneHot, mul, sum, mean and their gradients). */
export function softmaxCrossEntropy(l: ArenaLayout, B: number, p: Packing): FusedKernel {
  return {
    name: 'BridgeSoftmaxCrossEntropy', inputs: ['dec', 'batch', 'theta'], constants: { ...shapeConstants(l, B), ...p },
    workgroups: B, outputSize: B * (l.items + 1), dtype: 'float32', inPlace: false,
    body: `${REDUCE}
fn main(index: i32) {
  let b = wg();
  let t = lid();
  let o = b * (ITEMS + 1);
  let y = b * E_STRIDE + E_Y;
  var mx = -3.0e38;
  for (var i = t; i < ITEMS; i += WGS) {
    var acc = 0.0;
    for (var d = 0; d < DIM; d++) { acc += dec[y + d] * theta[i * DIM + d]; }
    let logit = acc + theta[O_BIAS + i];
    result[o + i] = logit;
    mx = max(mx, logit);
  }
  let m = reduceMax(t, mx);
  var sum = 0.0;
  for (var i = t; i < ITEMS; i += WGS) { sum += exp(result[o + i] - m); }
  let lse = m + log(reduceSum(t, sum));
  let answer = batch[ROWS + b];
  storageBarrier();
  if (t == 0) { result[o + ITEMS] = lse - result[o + answer]; }
  storageBarrier();
  for (var i = t; i < ITEMS; i += WGS) {
    result[o + i] = (exp(result[o + i] - lse) - select(0.0, 1.0, i == answer)) / f32(BATCH);
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
