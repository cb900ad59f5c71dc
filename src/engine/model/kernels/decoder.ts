/**
 * The one-step ID decoder, forward beside backward: the start token's self- and cross-attention and FFN, then
 * its backward, the shared start state's gradient and the decoder's weight gradients.
 * Each forward kernel says which plain tfjs ops of `retriever.ts` it replaces; "dx" kernels write activations'
 * gradients to a new buffer, "weight" kernels add parameter gradients into the arena's g segment in a fixed order.
 */
import { groupsFor, type FusedKernel } from './program';
import type { ArenaLayout } from './layout';
import { blockConstants, shapeConstants, type Packing, type View } from './packing';
import { CROSS_KV_WEIGHT_GRAD, X_VIEW, ATTENTION_HELPERS, MAT_VEC, encoderKeys, crossKeysWgsl, ffnWeightGradBlocks, projectWgsl, weightGradWgsl, type BackRows, type DecoderRows, ffnBackWgsl, crossBackWgsl, crossAttentionFfnWgsl, workgroupMain } from './wgsl';

/** The backward's one gradient row per example, at `g`, and its forward row at `e`. */
const ONE_GRAD_ROW: BackRows = { count: '1', grad: () => 'g', fwd: () => 'e' };
/** The encoder rows' keys and values as the backward reads them (the forward's output `dec`). */
const CROSS_BACK = encoderKeys((at) => `dec[e + E_KV + ${at}]`, () => '');
/** The one-step decoder's single row per example, at `o`. */
const ONE_ROW: DecoderRows = { count: '1', at: () => 'o' };

/** The whole one-step ID decoder, a workgroup per example: the start token's
 *  self-attention (its value map) and norm, cross-attention over the encoder rows, the
 *  output projection, norm, FFN and norm (≈ 45 plain ops). */
export function decoder(l: ArenaLayout, B: number, p: Packing, x: View): FusedKernel {
  return {
    name: 'BridgeDecoder', inputs: ['xin', 'batch', 'theta'],
    constants: { ...shapeConstants(l, B), ...blockConstants(l.decoder), ...p, X_STRIDE: x.stride, X_OFF: x.offset },
    workgroups: B, outputSize: B * p.E_STRIDE, dtype: 'float32', inPlace: false,
    body: `${ATTENTION_HELPERS}
${workgroupMain('b')}
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
    let acc = mulW(o + E_V0, O_WO, j, DIM, DIM);
    result[o + E_Y0 + j] = theta[bos + j] + acc;
  }
  storageBarrier();
  if (t == 0) { layerNorm(o + E_Y0, o + E_R0); }
  storageBarrier();
${projectWgsl(ONE_ROW, 'E_Y0', 'O_WQ', 'E_Q')}
${crossKeysWgsl((s) => `r0 + ${s}`, (s, c) => `result[o + E_KV + ${s} * 2 * DIM + ${c}]`)}
  storageBarrier();
${crossAttentionFfnWgsl(ONE_ROW, { q: 'E_Q', p: 'E_P', ctx: 'E_CTX', resid: 'E_Y0', h: 'E_H', rh: 'E_RH', u: 'E_U', y: 'E_Y', ry: 'E_RY' }, encoderKeys((at) => `result[o + E_KV + ${at}]`, (s) => `r0 + ${s}`))}
}`,
  };
}

/** The decoder backward, a workgroup per example: both layer norms, the FFN, the
 *  output projection and the cross-attention, down to the encoder rows (dx, dk, dv). */
export function decoderBackward(l: ArenaLayout, B: number, p: Packing): FusedKernel {
  return {
    name: 'BridgeDecoderBackward', inputs: ['dy', 'dec', 'theta'], constants: { ...shapeConstants(l, B), ...blockConstants(l.decoder), ...p },
    workgroups: B, outputSize: p.G_BASE + B * p.G_STRIDE, dtype: 'float32', inPlace: false,
    body: `${MAT_VEC}

var<workgroup> means: array<f32, 2>;
${workgroupMain('b')}
  let e = b * E_STRIDE;
  let g = G_BASE + b * G_STRIDE;
  let r0 = b * SEQ;
  if (t == 0) {
    var a = 0.0;
    var c = 0.0;
    for (var j = 0; j < DIM; j++) { let d = dy[b * DIM + j]; a += d; c += d * dec[e + E_Y + j]; }
    means[0] = a / f32(DIM);
    means[1] = c / f32(DIM);
  }
  workgroupBarrier();
  for (var j = t; j < DIM; j += WGS) {
    result[g + G_DZ2 + j] = dec[e + E_RY] * (dy[b * DIM + j] - means[0] - dec[e + E_Y + j] * means[1]);
  }
  storageBarrier();
${ffnBackWgsl(ONE_GRAD_ROW, { dy: 'G_DZ2', du: 'G_DU', u: 'E_U', dx: 'G_DZ' })}
  storageBarrier();
  workgroupBarrier();
  if (t == 0) {
    var a = 0.0;
    var c = 0.0;
    for (var j = 0; j < DIM; j++) { let d = result[g + G_DZ + j]; a += d; c += d * dec[e + E_H + j]; }
    means[0] = a / f32(DIM);
    means[1] = c / f32(DIM);
  }
  workgroupBarrier();
  for (var j = t; j < DIM; j += WGS) {
    result[g + G_DZ + j] = dec[e + E_RH] * (result[g + G_DZ + j] - means[0] - dec[e + E_H + j] * means[1]);
  }
  storageBarrier();
${crossBackWgsl(ONE_GRAD_ROW, { dz: 'G_DZ', dctx: 'G_DCTX', ds: 'G_DS', probs: 'E_P', dq: 'G_DQ', q: 'E_Q' }, CROSS_BACK)}
}`,
  };
}

/** The decoder's start state y0 is shared by the batch: sums what every example sends
 *  back to it, then its norm, Wq, the self-attention value map, Wo and the BOS row. One
 *  workgroup, in place. */
export function decoderStartGrad(l: ArenaLayout, B: number, p: Packing): FusedKernel {
  return {
    name: 'BridgeDecoderStartGrad', inputs: ['bwd', 'dec'], constants: { ...shapeConstants(l, B), ...blockConstants(l.decoder), ...p },
    workgroups: 1, outputSize: 0, dtype: 'float32', inPlace: true,
    body: `
var<workgroup> gy: array<f32, DIM>;
var<workgroup> qs: array<f32, DIM>;
var<workgroup> dz0: array<f32, DIM>;
var<workgroup> dv0: array<f32, DIM>;
var<workgroup> means: array<f32, 2>;
fn main(index: i32) {
  let t = lid();
  for (var j = t; j < DIM; j += WGS) {
    var a = 0.0;
    var q = 0.0;
    for (var b = 0; b < BATCH; b++) { let g = G_BASE + b * G_STRIDE; a += bwd[g + G_DZ + j]; q += bwd[g + G_DQ + j]; }
    gy[j] = a;
    qs[j] = q;
  }
  workgroupBarrier();
  for (var i = t; i < DIM * DIM; i += WGS) { result[G + O_WQ + i] += dec[E_Y0 + i / DIM] * qs[i % DIM]; }
  for (var j = t; j < DIM; j += WGS) {
    var acc = 0.0;
    for (var k = 0; k < DIM; k++) { acc += qs[k] * result[O_WQ + j * DIM + k]; }
    dz0[j] = gy[j] + acc;
  }
  workgroupBarrier();
  if (t == 0) {
    var a = 0.0;
    var c = 0.0;
    for (var j = 0; j < DIM; j++) { a += dz0[j]; c += dz0[j] * dec[E_Y0 + j]; }
    means[0] = a / f32(DIM);
    means[1] = c / f32(DIM);
  }
  workgroupBarrier();
  for (var j = t; j < DIM; j += WGS) { dz0[j] = dec[E_R0] * (dz0[j] - means[0] - dec[E_Y0 + j] * means[1]); }
  workgroupBarrier();
  for (var i = t; i < DIM * DIM; i += WGS) { result[G + O_WO + i] += dec[E_V0 + i / DIM] * dz0[i % DIM]; }
  for (var k = t; k < DIM; k += WGS) {
    var acc = 0.0;
    for (var j = 0; j < DIM; j++) { acc += dz0[j] * result[O_WO + k * DIM + j]; }
    dv0[k] = acc;
  }
  workgroupBarrier();
  let bos = BOS_ROW * DIM;
  for (var i = t; i < DIM * DIM; i += WGS) { result[G + O_WVS + i] += result[bos + i / DIM] * dv0[i % DIM]; }
  for (var a = t; a < DIM; a += WGS) {
    var acc = 0.0;
    for (var k = 0; k < DIM; k++) { acc += dv0[k] * result[O_WVS + a * DIM + k]; }
    result[G + bos + a] += dz0[a] + acc;
  }
}`,
  };
}

/** Example `b`'s element `k` of the decoder's forward rows and of its gradients. */
const dec = (b: string, k: string) => `dec[${b} * E_STRIDE + ${k}]`;
const grad = (b: string, k: string) => `bwd[G_BASE + ${b} * G_STRIDE + ${k}]`;

/** The decoder's weight gradients summed over the batch: Wk, Wv (over encoder rows),
 *  Wo (cross part), W1, b1, W2, b2. In place. */
export function decoderWeightGrad(l: ArenaLayout, B: number, p: Packing, x: View): FusedKernel {
  const D = l.dim, F = l.ffn;
  return {
    name: 'BridgeDecoderWeightGrad', inputs: ['bwd', 'dec', 'xin'],
    constants: { ...shapeConstants(l, B), ...blockConstants(l.decoder), ...p, X_STRIDE: x.stride, X_OFF: x.offset },
    workgroups: groupsFor(3 * D * D + 2 * D * F + F + D), outputSize: 0, dtype: 'float32', inPlace: true,
    body: `${X_VIEW}
${CROSS_KV_WEIGHT_GRAD}
fn main(index: i32) {
  var i = wg() * WGS + lid();
${weightGradWgsl('BATCH', [
    { size: '2 * DIM * DIM', body: '    result[G + O_WK + i] += crossKvWeightGrad(i);' },
    { size: 'DIM * DIM', at: 'O_WO', sum: (r) => `${dec(r, 'E_CTX + i / DIM')} * ${grad(r, 'G_DZ + i % DIM')}` },
    ...ffnWeightGradBlocks((r, k) => dec(r, `E_H + ${k}`), (r, k) => dec(r, `E_U + ${k}`), (r, k) => grad(r, `G_DU + ${k}`), (r, k) => grad(r, `G_DZ2 + ${k}`)),
  ])}
}`,
  };
}
