/**
 * An encoder layer, forward beside backward: its attention half and FFN half, then the layer's backward (both layer
 * norms, the FFN, the attention) and its weight gradients summed over the batch.
 * Each forward kernel says which plain tfjs ops of `retriever.ts` it replaces; "dx" kernels write activations'
 * gradients to a new buffer, "weight" kernels add parameter gradients into the arena's g segment in a fixed order.
 */
import { groupsFor, type FusedKernel } from './program';
import type { ArenaLayout } from './layout';
import { blockConstants, shapeConstants, type Packing, type View } from './packing';
import { LAYER_NORM, X_VIEW, ATTENTION_HELPERS, MAT_VEC, ffnWeightGradBlocks, weightGradWgsl, workgroupMain, selfQkvGradWgsl } from './wgsl';

/** One encoder layer's attention half, a workgroup per sequence: q/k/v projections,
 *  masked softmax(q·kᵀ/√dh), p·v, the output projection, the residual and the layer
 *  norm (≈ 20 plain ops and their reshapes/transposes). */
export function attentionBlock(l: ArenaLayout, B: number, p: Packing, layer: number, x: View): FusedKernel {
  return {
    name: 'BridgeAttentionBlock', inputs: ['xin', 'batch', 'theta'],
    constants: { ...shapeConstants(l, B), ...blockConstants(l.encoder[layer]), ...p, X_STRIDE: x.stride, X_OFF: x.offset },
    workgroups: B, outputSize: B * l.seq * p.A_STRIDE, dtype: 'float32', inPlace: false,
    body: `${ATTENTION_HELPERS}
${workgroupMain('b')}
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
    let acc = mulW(r * A_STRIDE + A_CTX, O_WO, j, DIM, DIM);
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
    body: `${MAT_VEC}
${LAYER_NORM}
fn hv(r: i32, k: i32) -> f32 { return act[r * A_STRIDE + A_H + k]; }
${workgroupMain('r')}
  let o = r * F_STRIDE;
  for (var f = t; f < FFN; f += WGS) {
    var acc = 0.0;
    for (var k = 0; k < DIM; k++) { acc += hv(r, k) * theta[O_W1 + k * FFN + f]; }
    result[o + F_U + f] = max(acc + theta[O_B1 + f], 0.0);
  }
  storageBarrier();
  for (var j = t; j < DIM; j += WGS) {
    let acc = mulW(o + F_U, O_W2, j, FFN, DIM);
    result[o + F_H + j] = hv(r, j) + (acc + theta[O_B2 + j]);
  }
  storageBarrier();
  if (t == 0) { layerNorm(o + F_H, o + F_R); }
}`,
  };
}

/** One encoder layer backward, a workgroup per sequence: both layer norms, the FFN, the
 *  output projection, softmax and q/k/v projections, down to the layer's input (dx).
 *  Keeps dz2, du, dz1 and dq/dk/dv for the weight kernel. */
export function encoderBackward(l: ArenaLayout, B: number, p: Packing, layer: number, gradOut: View): FusedKernel {
  return {
    name: 'BridgeEncoderBackward', inputs: ['gout', 'act', 'ffn', 'theta'],
    constants: { ...shapeConstants(l, B), ...blockConstants(l.encoder[layer]), ...p, GO_STRIDE: gradOut.stride, GO_OFF: gradOut.offset },
    workgroups: B, outputSize: B * l.seq * p.B_STRIDE, dtype: 'float32', inPlace: false,
    body: `${MAT_VEC}

fn gv(r: i32, k: i32) -> f32 { return gout[r * GO_STRIDE + GO_OFF + k]; }
${workgroupMain('b')}
  let r0 = b * SEQ;
  for (var s = t; s < SEQ; s += WGS) {
    let r = r0 + s;
    let fo = r * F_STRIDE;
    var a = 0.0;
    var c = 0.0;
    for (var j = 0; j < DIM; j++) { let d = gv(r, j); a += d; c += d * ffn[fo + F_H + j]; }
    a = a / f32(DIM);
    c = c / f32(DIM);
    for (var j = 0; j < DIM; j++) { result[r * B_STRIDE + B_DZ2 + j] = ffn[fo + F_R] * (gv(r, j) - a - ffn[fo + F_H + j] * c); }
  }
  storageBarrier();
  for (var i = t; i < SEQ * FFN; i += WGS) {
    let r = r0 + i / FFN;
    let f = i % FFN;
    let acc = mulWT(r * B_STRIDE + B_DZ2, O_W2, f, DIM, DIM);
    result[r * B_STRIDE + B_DU + f] = select(0.0, acc, ffn[r * F_STRIDE + F_U + f] > 0.0);
  }
  storageBarrier();
  for (var i = t; i < SEQ * DIM; i += WGS) {
    let o = (r0 + i / DIM) * B_STRIDE;
    let j = i % DIM;
    let acc = mulWT(o + B_DU, O_W1, j, FFN, FFN);
    result[o + B_DZ1 + j] = result[o + B_DZ2 + j] + acc;
  }
  storageBarrier();
  for (var s = t; s < SEQ; s += WGS) {
    let o = (r0 + s) * B_STRIDE;
    let ao = (r0 + s) * A_STRIDE;
    var a = 0.0;
    var c = 0.0;
    for (var j = 0; j < DIM; j++) { let d = result[o + B_DZ1 + j]; a += d; c += d * act[ao + A_H + j]; }
    a = a / f32(DIM);
    c = c / f32(DIM);
    for (var j = 0; j < DIM; j++) { result[o + B_DZ1 + j] = act[ao + A_R] * (result[o + B_DZ1 + j] - a - act[ao + A_H + j] * c); }
  }
  storageBarrier();
  for (var i = t; i < SEQ * DIM; i += WGS) {
    let o = (r0 + i / DIM) * B_STRIDE;
    let k = i % DIM;
    let acc = mulWT(o + B_DZ1, O_WO, k, DIM, DIM);
    result[o + B_DCTX + k] = acc;
  }
  storageBarrier();
  for (var x = t; x < HEADS * SEQ * SEQ; x += WGS) {
    let h = x / (SEQ * SEQ);
    let qi = (x / SEQ) % SEQ;
    let kj = x % SEQ;
    let oq = (r0 + qi) * B_STRIDE;
    let vk = (r0 + kj) * A_STRIDE + A_QKV + 2 * DIM + h * HD;
    var acc = 0.0;
    for (var e = 0; e < HD; e++) { acc += result[oq + B_DCTX + h * HD + e] * act[vk + e]; }
    result[oq + B_DS + h * SEQ + kj] = acc;
  }
  storageBarrier();
  for (var x = t; x < HEADS * SEQ; x += WGS) {
    let h = x / SEQ;
    let ds = (r0 + x % SEQ) * B_STRIDE + B_DS + h * SEQ;
    let pq = (r0 + x % SEQ) * A_STRIDE + A_P + h * SEQ;
    var dot = 0.0;
    for (var j = 0; j < SEQ; j++) { dot += act[pq + j] * result[ds + j]; }
    for (var j = 0; j < SEQ; j++) { result[ds + j] = act[pq + j] * (result[ds + j] - dot); }
  }
  storageBarrier();
${selfQkvGradWgsl('SEQ', {
    ds: (a, h, b) => `result[(r0 + ${a}) * B_STRIDE + B_DS + ${h} * SEQ + ${b}]`, p: (a, h, b) => `act[(r0 + ${a}) * A_STRIDE + A_P + ${h} * SEQ + ${b}]`,
    q: (a, c) => `act[(r0 + ${a}) * A_STRIDE + A_QKV + ${c}]`, k: (a, c) => `act[(r0 + ${a}) * A_STRIDE + A_QKV + DIM + ${c}]`,
    dctx: (a, c) => `result[(r0 + ${a}) * B_STRIDE + B_DCTX + ${c}]`, dst: (s, m, c) => `result[(r0 + ${s}) * B_STRIDE + B_DQKV + ${m} * DIM + ${c}]`,
  })}
  storageBarrier();
  for (var i = t; i < SEQ * DIM; i += WGS) {
    let o = (r0 + i / DIM) * B_STRIDE;
    let k = i % DIM;
    var acc = result[o + B_DZ1 + k];
    for (var m = 0; m < 3; m++) {
      for (var j = 0; j < DIM; j++) { acc += result[o + B_DQKV + m * DIM + j] * theta[O_WQ + m * DIM * DIM + k * DIM + j]; }
    }
    result[o + B_DX + k] = acc;
  }
}`,
  };
}

/** Row `r`'s element `k` of the forward activations and of the backward's gradients. */
const act = (r: string, k: string) => `act[${r} * A_STRIDE + ${k}]`;
const bwd = (r: string, k: string) => `bwd[${r} * B_STRIDE + ${k}]`;

/** One encoder layer's weight gradients summed over the batch rows: Wq, Wk, Wv, Wo,
 *  W1, b1, W2, b2. In place. */
export function encoderWeightGrad(l: ArenaLayout, B: number, p: Packing, layer: number, x: View): FusedKernel {
  const D = l.dim, F = l.ffn;
  return {
    name: 'BridgeEncoderWeightGrad', inputs: ['xin', 'act', 'ffn', 'bwd'],
    constants: { ...shapeConstants(l, B), ...blockConstants(l.encoder[layer]), ...p, X_STRIDE: x.stride, X_OFF: x.offset },
    workgroups: groupsFor(4 * D * D + 2 * D * F + F + D), outputSize: 0, dtype: 'float32', inPlace: true,
    body: `${X_VIEW}
fn main(index: i32) {
  var i = wg() * WGS + lid();
${weightGradWgsl('ROWS', [
    { size: '3 * DIM * DIM', at: 'O_WQ', sum: (r) => `xv(${r}, (i / DIM) % DIM) * ${bwd(r, 'B_DQKV + (i / (DIM * DIM)) * DIM + i % DIM')}` },
    { size: 'DIM * DIM', at: 'O_WO', sum: (r) => `${act(r, 'A_CTX + i / DIM')} * ${bwd(r, 'B_DZ1 + i % DIM')}` },
    ...ffnWeightGradBlocks((r, k) => act(r, `A_H + ${k}`), (r, k) => `ffn[${r} * F_STRIDE + F_U + ${k}]`, (r, k) => bwd(r, `B_DU + ${k}`), (r, k) => bwd(r, `B_DZ2 + ${k}`)),
  ])}
}`,
  };
}
