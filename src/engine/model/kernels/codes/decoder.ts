/** The code decoder: teacher forced for training, its backward and weight gradients, and the states beam search scores (forward beside backward). */
import { groupsFor, type FusedKernel } from '../program';
import type { ArenaLayout } from '../layout';
import { blockConstants, shapeConstants, type Packing, type View } from '../packing';
import { CROSS_KV_WEIGHT_GRAD, LAYER_NORM, KEY_BIAS, X_VIEW, MAT_VEC, attentionWgsl, encoderKeys, crossKeysWgsl, attentionBackWgsl, ffnWeightGradBlocks, projectWgsl, residualNormWgsl, weightGradWgsl, type BackRows, type DecoderRows, ffnBackWgsl, crossBackWgsl, residualBackWgsl, crossAttentionFfnWgsl, workgroupMain, selfQkvGradWgsl } from '../wgsl';

/** The teacher-forced decoder's rows: each example's CT code positions, from `e`. */
const POSITIONS: DecoderRows = { count: 'CT', at: (r) => `e + (${r}) * C_POS` };
/** The backward's rows: each position's gradient row (from `g0`, K_POS each) and its forward row. */
const GRAD_POSITIONS: BackRows = { count: 'CT', grad: (r) => `g0 + (${r}) * K_POS`, fwd: (r) => `e + (${r}) * C_POS` };
/** The encoder rows' keys and values as the backward reads them (the forward's output `dec`). */
const CROSS_BACK = encoderKeys((at) => `dec[e + C_KV + ${at}]`, () => '');
/** Beam search decodes one position of each hypothesis, at `o`. */
const ONE_ROW: DecoderRows = { count: '1', at: () => 'o' };
import { codebookHelpers, constants, scorePacking, type CodePacking } from './packing';

/** The code decoder, teacher forced, a workgroup per example: inputs (start token, then
 *  the target's codes but the last) plus decoder positions, causal self-attention,
 *  cross-attention over the encoder rows, FFN, each followed by its residual and layer
 *  norm (≈ 60 plain ops of code-decoder.ts `decodeStates`). */
export function codeDecoder(l: ArenaLayout, B: number, p: Packing, q: CodePacking, x: View): FusedKernel {
  return {
    name: 'BridgeCodeDecoder', inputs: ['xin', 'batch', 'codes', 'theta'],
    constants: constants(l, B, p, q, { X_STRIDE: x.stride, X_OFF: x.offset }),
    workgroups: B, outputSize: B * q.C_STRIDE, dtype: 'float32', inPlace: false,
    body: `${MAT_VEC}
${LAYER_NORM}
${KEY_BIAS}
${X_VIEW}
${workgroupMain('b')}
  let e = b * C_STRIDE;
  let r0 = b * SEQ;
  let answer = batch[ROWS + b];
  for (var i = t; i < CT * DIM; i += WGS) {
    let p = i / DIM;
    let d = i % DIM;
    var row = O_BOS;
    if (p > 0) { row = O_CODES + codes[answer * CT + p - 1] * DIM; }
    result[e + p * C_POS + C_Y + d] = theta[row + d] + theta[O_DECPOS + p * DIM + d];
  }
  storageBarrier();
  for (var i = t; i < CT * 3 * DIM; i += WGS) {
    let p = i / (3 * DIM);
    let c = i % (3 * DIM);
    let m = c / DIM;
    var w = O_SWQ;
    if (m == 1) { w = O_SWK; }
    if (m == 2) { w = O_WVS; }
    w += c % DIM;
    let acc = mulW(e + p * C_POS + C_Y, w, 0, DIM, DIM);
    result[e + p * C_POS + C_SQ + c] = acc;
  }
${crossKeysWgsl((s) => `r0 + ${s}`, (s, c) => `result[e + C_KV + ${s} * 2 * DIM + ${c}]`)}
  storageBarrier();
${attentionWgsl(POSITIONS, { q: 'C_SQ', p: 'C_SP', ctx: 'C_SCTX' }, {
    count: 'CT', stride: 'CT', bias: (s) => `select(0.0, -1e9, ${s} > r)`, // causal: a position sees itself and those before
    k: (s, off) => `result[e + ${s} * C_POS + C_SQ + DIM + ${off}]`, v: (s, off) => `result[e + ${s} * C_POS + C_SQ + 2 * DIM + ${off}]`,
  })}
  storageBarrier();
${residualNormWgsl(POSITIONS, { src: 'C_SCTX', resid: 'C_Y', dst: 'C_H1', rstd: 'C_R1' })}
  storageBarrier();
${projectWgsl(POSITIONS, 'C_H1', 'O_WQ', 'C_Q2')}
  storageBarrier();
${crossAttentionFfnWgsl(POSITIONS, { q: 'C_Q2', p: 'C_CP', ctx: 'C_CCTX', resid: 'C_H1', h: 'C_H2', rh: 'C_R2', u: 'C_U', y: 'C_H3', ry: 'C_R3' }, encoderKeys((at) => `result[e + C_KV + ${at}]`, (s) => `r0 + ${s}`))}
}`,
  };
}

/** The code decoder backward, a workgroup per example: the positions' output gradient
 *  (dlogits · code table), the three layer norms, the FFN, the cross-attention (down to
 *  the encoder rows' dx, dk, dv) and the causal self-attention, down to each position's
 *  input (dy). */
export function codeDecoderBackward(l: ArenaLayout, B: number, p: Packing, q: CodePacking): FusedKernel {
  return {
    name: 'BridgeCodeDecoderBackward', inputs: ['ce', 'dec', 'theta'], constants: constants(l, B, p, q),
    workgroups: B, outputSize: q.G_BASE + B * q.CT * q.K_POS, dtype: 'float32', inPlace: false,
    body: `${MAT_VEC}
${codebookHelpers(l.codes!)}
// Layer norm backward in place: dz = rstd · (d − mean(d) − x̂ · mean(d · x̂)).
fn normBack(at: i32, xhat: i32, rstd: f32) {
  var a = 0.0;
  var c = 0.0;
  for (var j = 0; j < DIM; j++) { let d = result[at + j]; a += d; c += d * dec[xhat + j]; }
  a = a / f32(DIM);
  c = c / f32(DIM);
  for (var j = 0; j < DIM; j++) { result[at + j] = rstd * (result[at + j] - a - dec[xhat + j] * c); }
}
${workgroupMain('b')}
  let e = b * C_STRIDE;
  let g0 = G_BASE + b * CT * K_POS;
  let r0 = b * SEQ;
  for (var i = t; i < CT * DIM; i += WGS) {
    let p = i / DIM;
    let d = i % DIM;
    let off = codeOff(p);
    let ce0 = (b * CT + p) * CE_STRIDE;
    var acc = 0.0;
    for (var c = 0; c < codeSize(p); c++) { acc += ce[ce0 + c] * theta[O_CODES + (off + c) * DIM + d]; }
    result[g0 + p * K_POS + K_DZ3 + d] = acc;
  }
  storageBarrier();
  for (var p = t; p < CT; p += WGS) { normBack(g0 + p * K_POS + K_DZ3, e + p * C_POS + C_H3, dec[e + p * C_POS + C_R3]); }
  storageBarrier();
${ffnBackWgsl(GRAD_POSITIONS, { dy: 'K_DZ3', du: 'K_DU', u: 'C_U', dx: 'K_DZ2' })}
  storageBarrier();
  for (var p = t; p < CT; p += WGS) { normBack(g0 + p * K_POS + K_DZ2, e + p * C_POS + C_H2, dec[e + p * C_POS + C_R2]); }
  storageBarrier();
${crossBackWgsl(GRAD_POSITIONS, { dz: 'K_DZ2', dctx: 'K_DCCTX', ds: 'K_DS', probs: 'C_CP', dq: 'K_DQ2', q: 'C_Q2' }, CROSS_BACK)}
${residualBackWgsl(GRAD_POSITIONS, { src: 'K_DQ2', w: 'O_WQ', n: 'DIM', resid: 'K_DZ2', dst: 'K_DZ1' })}
  storageBarrier();
  for (var p = t; p < CT; p += WGS) { normBack(g0 + p * K_POS + K_DZ1, e + p * C_POS + C_H1, dec[e + p * C_POS + C_R1]); }
  storageBarrier();
${attentionBackWgsl(GRAD_POSITIONS, { dz: 'K_DZ1', dctx: 'K_DSCTX', ds: 'K_DSS', probs: 'C_SP' }, { count: 'CT', stride: 'CT', k: () => '', bias: () => '', v: (s, off) => `dec[e + ${s} * C_POS + C_SQ + 2 * DIM + ${off}]` })}
  storageBarrier();
${selfQkvGradWgsl('CT', {
    ds: (a, h, b) => `result[g0 + ${a} * K_POS + K_DSS + ${h} * CT + ${b}]`, p: (a, h, b) => `dec[e + ${a} * C_POS + C_SP + ${h} * CT + ${b}]`,
    q: (a, c) => `dec[e + ${a} * C_POS + C_SQ + ${c}]`, k: (a, c) => `dec[e + ${a} * C_POS + C_SQ + DIM + ${c}]`,
    dctx: (a, c) => `result[g0 + ${a} * K_POS + K_DSCTX + ${c}]`, dst: (s, m, c) => `result[g0 + ${s} * K_POS + K_DSQ + ${m} * DIM + ${c}]`,
  })}
  storageBarrier();
  for (var i = t; i < CT * DIM; i += WGS) {
    let g = g0 + (i / DIM) * K_POS;
    let k = i % DIM;
    var acc = result[g + K_DZ1 + k];
    for (var j = 0; j < DIM; j++) {
      acc += result[g + K_DSQ + j] * theta[O_SWQ + k * DIM + j] + result[g + K_DSQ + DIM + j] * theta[O_SWK + k * DIM + j]
        + result[g + K_DSQ + 2 * DIM + j] * theta[O_WVS + k * DIM + j];
    }
    result[g + K_DY + k] = acc;
  }
}`,
  };
}

/** The code decoder's weight gradients summed over the batch: Wq, Wk, Wv (the keys and
 *  values over encoder rows), Wo (self and cross parts), W1, b1, W2, b2, the
 *  self-attention's value, query and key maps. In place. */
export function codeDecoderWeightGrad(l: ArenaLayout, B: number, p: Packing, q: CodePacking, x: View): FusedKernel {
  const D = l.dim, F = l.ffn;
  return {
    name: 'BridgeCodeDecoderWeightGrad', inputs: ['bwd', 'dec', 'xin'],
    constants: constants(l, B, p, q, { X_STRIDE: x.stride, X_OFF: x.offset }),
    workgroups: groupsFor(8 * D * D + 2 * D * F + F + D), outputSize: 0, dtype: 'float32', inPlace: true,
    body: `${X_VIEW}
${CROSS_KV_WEIGHT_GRAD}
// Position row r (example r / CT, position r % CT): its decoder state and its gradients.
fn dv(r: i32, k: i32) -> f32 { return dec[(r / CT) * C_STRIDE + (r % CT) * C_POS + k]; }
fn gv(r: i32, k: i32) -> f32 { return bwd[G_BASE + r * K_POS + k]; }
fn main(index: i32) {
  var i = wg() * WGS + lid();
  let Q = BATCH * CT;
${weightGradWgsl('Q', [
    { size: 'DIM * DIM', at: 'O_WQ', sum: (r) => `dv(${r}, C_H1 + i / DIM) * gv(${r}, K_DQ2 + i % DIM)` },
    { size: '2 * DIM * DIM', body: '    result[G + O_WK + i] += crossKvWeightGrad(i);' },
    { size: 'DIM * DIM', at: 'O_WO', sum: (r) => `dv(${r}, C_CCTX + i / DIM) * gv(${r}, K_DZ2 + i % DIM) + dv(${r}, C_SCTX + i / DIM) * gv(${r}, K_DZ1 + i % DIM)` },
    ...ffnWeightGradBlocks((r, k) => `dv(${r}, C_H2 + ${k})`, (r, k) => `dv(${r}, C_U + ${k})`, (r, k) => `gv(${r}, K_DU + ${k})`, (r, k) => `gv(${r}, K_DZ3 + ${k})`),
    // The causal self-attention's query, key and value maps (three tables apart in θ), from the position inputs y.
    { size: '3 * DIM * DIM', body: `    let m = i / (DIM * DIM);
    let a = (i / DIM) % DIM;
    let j = i % DIM;
    var acc = 0.0;
    for (var r = 0; r < Q; r++) { acc += dv(r, C_Y + a) * gv(r, K_DSQ + m * DIM + j); }
    var w = O_SWQ;
    if (m == 1) { w = O_SWK; }
    if (m == 2) { w = O_WVS; }
    result[G + w + a * DIM + j] += acc;` },
  ])}
}`,
  };
}

/** The cross-attention keys and values of a batch's encoder rows, a workgroup per input:
 *  [B, S·2D] (k | v per row), computed once for all of its hypotheses. */
export function codeCrossKeys(l: ArenaLayout, B: number, p: Packing, x: View): FusedKernel {
  return {
    name: 'BridgeCodeCrossKeys', inputs: ['xin', 'theta'], constants: { ...shapeConstants(l, B), ...blockConstants(l.decoder), ...p, X_STRIDE: x.stride, X_OFF: x.offset },
    workgroups: B, outputSize: B * l.seq * 2 * l.dim, dtype: 'float32', inPlace: false,
    body: `${X_VIEW}
${workgroupMain('b')}
${crossKeysWgsl((s) => `b * SEQ + ${s}`, (s, c) => `result[b * SEQ * 2 * DIM + ${s} * 2 * DIM + ${c}]`)}
}`,
  };
}

/** The decoder state of each hypothesis's next position, a workgroup per hypothesis
 *  (`hyps`: its input, then its code tokens so far; `uniforms.level` codes each): the
 *  inputs of positions 0 … level, their self-attention keys and values, then the last
 *  position's causal self-attention, cross-attention, FFN and layer norms (≈ 60 plain
 *  ops of `decodeStates` with `lastOnly`). Output [R, Z_STRIDE]. */
export function codeStates(l: ArenaLayout, B: number, hypotheses: number, p: Packing): FusedKernel {
  const z = scorePacking(l);
  return {
    name: 'BridgeCodeStates', inputs: ['hyps', 'kv', 'batch', 'theta'],
    constants: { ...shapeConstants(l, B), ...blockConstants(l.decoder), ...p, ...z, CT: z.HYP - 1, O_CODES: l.itemEmbedding, O_DECPOS: l.codes!.decoderPosition, O_SWQ: l.codes!.selfWq, O_SWK: l.codes!.selfWk, O_BOS: l.codes!.bos },
    workgroups: hypotheses, outputSize: hypotheses * z.Z_STRIDE, dtype: 'float32', inPlace: false, uniforms: 'level : i32,',
    body: `${MAT_VEC}
${LAYER_NORM}
${KEY_BIAS}
${workgroupMain('hyp')}
  let o = hyp * Z_STRIDE;
  let g = hyps[hyp * HYP];
  let last = uniforms.level;
  let P = last + 1;
  let e = g * SEQ * 2 * DIM;
  for (var i = t; i < P * DIM; i += WGS) {
    let q = i / DIM;
    let d = i % DIM;
    var row = O_BOS;
    if (q > 0) { row = O_CODES + hyps[hyp * HYP + q] * DIM; }
    result[o + Z_Y + q * DIM + d] = theta[row + d] + theta[O_DECPOS + q * DIM + d];
  }
  storageBarrier();
  for (var i = t; i < P * 2 * DIM + DIM; i += WGS) {
    var src = i / (2 * DIM);
    var w = O_SWK;
    var at = Z_SK + src * DIM + i % DIM;
    if ((i / DIM) % 2 == 1) { w = O_WVS; at = Z_SV + src * DIM + i % DIM; }
    if (i >= P * 2 * DIM) { src = last; w = O_SWQ; at = Z_SQ + i % DIM; }
    w += i % DIM;
    let acc = mulW(o + Z_Y + src * DIM, w, 0, DIM, DIM);
    result[o + at] = acc;
  }
  storageBarrier();
${attentionWgsl(ONE_ROW, { q: 'Z_SQ', p: 'Z_SP', ctx: 'Z_SCTX' }, {
    count: 'P', stride: 'CT', bias: () => '0.0', // positions 0 … level, all before the one decoded
    k: (s, off) => `result[o + Z_SK + ${s} * DIM + ${off}]`, v: (s, off) => `result[o + Z_SV + ${s} * DIM + ${off}]`,
  })}
  storageBarrier();
${residualNormWgsl(ONE_ROW, { src: 'Z_SCTX', resid: 'Z_Y + last * DIM', dst: 'Z_H1', rstd: 'Z_R1' })}
  storageBarrier();
${projectWgsl(ONE_ROW, 'Z_H1', 'O_WQ', 'Z_Q2')}
  storageBarrier();
${crossAttentionFfnWgsl(ONE_ROW, { q: 'Z_Q2', p: 'Z_CP', ctx: 'Z_CCTX', resid: 'Z_H1', h: 'Z_H2', rh: 'Z_R2', u: 'Z_U', y: 'Z_H3', ry: 'Z_R3' }, encoderKeys((at) => `kv[e + ${at}]`, (s) => `g * SEQ + ${s}`))}
}`,
  };
}
