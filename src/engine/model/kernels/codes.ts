/**
 * The semantic-ID head (heads/codes.ts, ids/code-decoder.ts), forward beside backward: the
 * encoder's input rows (an item is the sum of its codes' rows), the code decoder's
 * teacher-forced positions (causal self-attention, cross-attention, FFN), each position's
 * softmax over its codebook, then their backward passes: the decoder down to the encoder
 * rows, its weight gradients, and the code table's gradient from all three places it is
 * read (decoder output, decoder input, encoder input).
 * Each forward kernel says which plain tfjs ops it replaces; "dx" kernels write activations'
 * gradients to a new buffer, "weight" kernels add parameter gradients into the arena's g segment.
 */
import { groupsFor, type FusedKernel } from './program';
import type { ArenaLayout, CodeLayout } from './layout';
import { blockConstants, shapeConstants, type Packing, type View } from './packing';
import { LAYER_NORM, KEY_BIAS, REDUCE, X_VIEW, MAT_VEC } from './wgsl';

/**
 * Column layouts of the code head's buffers (floats). Decoder output, per example: CT
 * position rows of C_POS (input y | self q k v | self p (H·CT) | self ctx | h1 | rstd1 |
 * cross q | cross p (H·S) | cross ctx | h2 | rstd2 | u (F) | h3 | rstd3), then the
 * encoder rows' cross keys and values (S·2D). Decoder backward: the encoder rows' dx | dk
 * | dv (G_ROW each, as the atomic decoder's, so the encoder's backward reads them
 * alike), then per position row (from G_BASE, K_POS each) dz3 | du | dz2 | dctx | ds
 * (H·S) | dq | dz1 | dsctx | dss (H·CT) | dsq dsk dsv | dy. Cross-entropy: per position
 * row, CE_STRIDE = largest codebook + 1: the logits' gradient by code, then the loss.
 */
export function codePacking(l: ArenaLayout, batch: number) {
  const c = l.codes!;
  const D = l.dim, F = l.ffn, HS = l.heads * l.seq, HT = l.heads * c.length, T = c.length;
  const C_SP = 4 * D, C_SCTX = C_SP + HT, C_H1 = C_SCTX + D, C_R1 = C_H1 + D, C_Q2 = C_R1 + 1, C_CP = C_Q2 + D;
  const C_CCTX = C_CP + HS, C_H2 = C_CCTX + D, C_R2 = C_H2 + D, C_U = C_R2 + 1, C_H3 = C_U + F, C_R3 = C_H3 + D, C_POS = C_R3 + 1;
  const K_DS = 3 * D + F, K_DQ2 = K_DS + HS, K_DZ1 = K_DQ2 + D, K_DSCTX = K_DZ1 + D, K_DSS = K_DSCTX + D, K_DSQ = K_DSS + HT;
  const K_DY = K_DSQ + 3 * D;
  return {
    CT: T, CV: c.total, MAXC: Math.max(...c.sizes), CE_STRIDE: Math.max(...c.sizes) + 1,
    C_Y: 0, C_SQ: D, C_SP, C_SCTX, C_H1, C_R1, C_Q2, C_CP, C_CCTX, C_H2, C_R2, C_U, C_H3, C_R3, C_POS,
    C_KV: T * C_POS, C_STRIDE: T * C_POS + 2 * l.seq * D,
    G_ROW: 3 * D, G_BASE: batch * l.seq * 3 * D,
    K_DZ3: 0, K_DU: D, K_DZ2: D + F, K_DCCTX: 2 * D + F, K_DS, K_DQ2, K_DZ1, K_DSCTX, K_DSS, K_DSQ, K_DY, K_POS: K_DY + D,
    O_CODES: l.itemEmbedding, O_TOK: l.tokenEmbedding, O_DECPOS: c.decoderPosition, O_SWQ: c.selfWq, O_SWK: c.selfWk, O_BOS: c.bos,
  };
}
export type CodePacking = ReturnType<typeof codePacking>;

/** Each position's codebook as WGSL functions (`codeOff(p)`, `codeSize(p)`, `codePos(token)`). */
function codebookHelpers(c: CodeLayout): string {
  const off = c.offsets.map((o, p) => `  if (p == ${p}) { return ${o}; }`).join('\n');
  const size = c.sizes.map((s, p) => `  if (p == ${p}) { return ${s}; }`).join('\n');
  const pos = c.offsets.map((o, p) => `  if (c < ${o + c.sizes[p]}) { return ${p}; }`).join('\n');
  return `
fn codeOff(p: i32) -> i32 {\n${off}\n  return 0;\n}
fn codeSize(p: i32) -> i32 {\n${size}\n  return 0;\n}
fn codePos(c: i32) -> i32 {\n${pos}\n  return ${c.length - 1};\n}
`;
}

function constants(l: ArenaLayout, B: number, p: Packing, q: CodePacking, extra: Record<string, number> = {}): Record<string, number> {
  return { ...shapeConstants(l, B), ...blockConstants(l.decoder), ...p, ...q, ...extra };
}

/** Encoder input rows: an item token is the sum of its codes' rows, any other token its
 *  own row; plus the position rows (replaces the membership matMul, concat, gather, add). */
export function codeEmbed(l: ArenaLayout, B: number, p: Packing, q: CodePacking): FusedKernel {
  return {
    name: 'BridgeCodeEmbed', inputs: ['batch', 'codes', 'theta'], constants: constants(l, B, p, q),
    workgroups: groupsFor(B * l.seq * l.dim), outputSize: B * l.seq * l.dim, dtype: 'float32', inPlace: false,
    body: `
fn main(index: i32) {
  let i = wg() * WGS + lid();
  if (i >= ROWS * DIM) { return; }
  let r = i / DIM;
  let d = i % DIM;
  let tok = batch[r];
  var v = 0.0;
  if (tok < ITEMS) {
    for (var c = 0; c < CT; c++) { v += theta[O_CODES + codes[tok * CT + c] * DIM + d]; }
  } else {
    v = theta[O_TOK + (tok - ITEMS) * DIM + d];
  }
  result[i] = v + theta[O_POS + (r % SEQ) * DIM + d];
}`,
  };
}

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
fn main(index: i32) {
  let b = wg();
  let t = lid();
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
  for (var i = t; i < SEQ * 2 * DIM; i += WGS) {
    let s = i / (2 * DIM);
    let c = i % (2 * DIM);
    let w = O_WK + (c / DIM) * DIM * DIM + c % DIM;
    var acc = 0.0;
    for (var k = 0; k < DIM; k++) { acc += xv(r0 + s, k) * theta[w + k * DIM]; }
    result[e + C_KV + s * 2 * DIM + c] = acc;
  }
  storageBarrier();
  for (var i = t; i < CT * HEADS; i += WGS) {
    let p = i / HEADS;
    let h = i % HEADS;
    let at = e + p * C_POS + C_SP + h * CT;
    var mx = -3.0e38;
    for (var j = 0; j < CT; j++) {
      var sc = 0.0;
      for (var c = 0; c < HD; c++) { sc += result[e + p * C_POS + C_SQ + h * HD + c] * result[e + j * C_POS + C_SQ + DIM + h * HD + c]; }
      sc = sc * SCALE + select(0.0, -1e9, j > p);
      result[at + j] = sc;
      mx = max(mx, sc);
    }
    var sum = 0.0;
    for (var j = 0; j < CT; j++) { let ex = exp(result[at + j] - mx); result[at + j] = ex; sum += ex; }
    for (var j = 0; j < CT; j++) { result[at + j] = result[at + j] / sum; }
  }
  storageBarrier();
  for (var i = t; i < CT * DIM; i += WGS) {
    let p = i / DIM;
    let c = i % DIM;
    let h = c / HD;
    var acc = 0.0;
    for (var j = 0; j < CT; j++) { acc += result[e + p * C_POS + C_SP + h * CT + j] * result[e + j * C_POS + C_SQ + 2 * DIM + c]; }
    result[e + p * C_POS + C_SCTX + c] = acc;
  }
  storageBarrier();
  for (var i = t; i < CT * DIM; i += WGS) {
    let o = e + (i / DIM) * C_POS;
    let j = i % DIM;
    let acc = mulW(o + C_SCTX, O_WO, j, DIM, DIM);
    result[o + C_H1 + j] = result[o + C_Y + j] + acc;
  }
  storageBarrier();
  for (var p = t; p < CT; p += WGS) { layerNorm(e + p * C_POS + C_H1, e + p * C_POS + C_R1); }
  storageBarrier();
  for (var i = t; i < CT * DIM; i += WGS) {
    let o = e + (i / DIM) * C_POS;
    let j = i % DIM;
    let acc = mulW(o + C_H1, O_WQ, j, DIM, DIM);
    result[o + C_Q2 + j] = acc;
  }
  storageBarrier();
  for (var i = t; i < CT * HEADS; i += WGS) {
    let p = i / HEADS;
    let h = i % HEADS;
    let at = e + p * C_POS + C_CP + h * SEQ;
    var mx = -3.0e38;
    for (var s = 0; s < SEQ; s++) {
      var sc = 0.0;
      for (var c = 0; c < HD; c++) { sc += result[e + C_KV + s * 2 * DIM + h * HD + c] * result[e + p * C_POS + C_Q2 + h * HD + c]; }
      sc = sc * SCALE + keyBias(r0 + s);
      result[at + s] = sc;
      mx = max(mx, sc);
    }
    var sum = 0.0;
    for (var s = 0; s < SEQ; s++) { let ex = exp(result[at + s] - mx); result[at + s] = ex; sum += ex; }
    for (var s = 0; s < SEQ; s++) { result[at + s] = result[at + s] / sum; }
  }
  storageBarrier();
  for (var i = t; i < CT * DIM; i += WGS) {
    let p = i / DIM;
    let c = i % DIM;
    let h = c / HD;
    var acc = 0.0;
    for (var s = 0; s < SEQ; s++) { acc += result[e + p * C_POS + C_CP + h * SEQ + s] * result[e + C_KV + s * 2 * DIM + DIM + c]; }
    result[e + p * C_POS + C_CCTX + c] = acc;
  }
  storageBarrier();
  for (var i = t; i < CT * DIM; i += WGS) {
    let o = e + (i / DIM) * C_POS;
    let j = i % DIM;
    let acc = mulW(o + C_CCTX, O_WO, j, DIM, DIM);
    result[o + C_H2 + j] = result[o + C_H1 + j] + acc;
  }
  storageBarrier();
  for (var p = t; p < CT; p += WGS) { layerNorm(e + p * C_POS + C_H2, e + p * C_POS + C_R2); }
  storageBarrier();
  for (var i = t; i < CT * FFN; i += WGS) {
    let o = e + (i / FFN) * C_POS;
    let f = i % FFN;
    let acc = mulW(o + C_H2, O_W1, f, DIM, FFN);
    result[o + C_U + f] = max(acc + theta[O_B1 + f], 0.0);
  }
  storageBarrier();
  for (var i = t; i < CT * DIM; i += WGS) {
    let o = e + (i / DIM) * C_POS;
    let j = i % DIM;
    let acc = mulW(o + C_U, O_W2, j, FFN, DIM);
    result[o + C_H3 + j] = result[o + C_H2 + j] + (acc + theta[O_B2 + j]);
  }
  storageBarrier();
  for (var p = t; p < CT; p += WGS) { layerNorm(e + p * C_POS + C_H3, e + p * C_POS + C_R3); }
}`,
  };
}

/** Code logits over each position's codebook (h3 · codeTableᵀ + bias), softmax,
 *  cross-entropy and its gradient, a workgroup per (example, position). Output per
 *  position row: (softmax − onehot)/B by code, then the loss (replaces matMul, add, the
 *  position mask, logSoftmax, oneHot, mul, sum, mean and their gradients). */
export function codeCrossEntropy(l: ArenaLayout, B: number, p: Packing, q: CodePacking): FusedKernel {
  return {
    name: 'BridgeCodeCrossEntropy', inputs: ['dec', 'batch', 'codes', 'theta'], constants: constants(l, B, p, q),
    workgroups: B * q.CT, outputSize: B * q.CT * q.CE_STRIDE, dtype: 'float32', inPlace: false,
    body: `${REDUCE}
${codebookHelpers(l.codes!)}
fn main(index: i32) {
  let row = wg();
  let t = lid();
  let b = row / CT;
  let p = row % CT;
  let h3 = b * C_STRIDE + p * C_POS + C_H3;
  let off = codeOff(p);
  let size = codeSize(p);
  let o = row * CE_STRIDE;
  var mx = -3.0e38;
  for (var c = t; c < size; c += WGS) {
    var acc = 0.0;
    for (var d = 0; d < DIM; d++) { acc += dec[h3 + d] * theta[O_CODES + (off + c) * DIM + d]; }
    let logit = acc + theta[O_BIAS + off + c];
    result[o + c] = logit;
    mx = max(mx, logit);
  }
  let m = reduceMax(t, mx);
  var sum = 0.0;
  for (var c = t; c < size; c += WGS) { sum += exp(result[o + c] - m); }
  let lse = m + log(reduceSum(t, sum));
  let answer = codes[batch[ROWS + b] * CT + p] - off;
  storageBarrier();
  if (t == 0) { result[o + MAXC] = lse - result[o + answer]; }
  storageBarrier();
  for (var c = t; c < size; c += WGS) {
    result[o + c] = (exp(result[o + c] - lse) - select(0.0, 1.0, c == answer)) / f32(BATCH);
  }
}`,
  };
}

/** The batch's mean loss, −log P(codes) summed over positions: [1]. */
export function codeMeanLoss(l: ArenaLayout, B: number, p: Packing, q: CodePacking): FusedKernel {
  return {
    name: 'BridgeCodeMeanLoss', inputs: ['ce'], constants: constants(l, B, p, q), workgroups: 1, outputSize: 1, dtype: 'float32', inPlace: false,
    body: `${REDUCE}
fn main(index: i32) {
  let t = lid();
  var acc = 0.0;
  for (var r = t; r < BATCH * CT; r += WGS) { acc += ce[r * CE_STRIDE + MAXC]; }
  let total = reduceSum(t, acc);
  if (t == 0) { result[0] = total / f32(BATCH); }
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
fn main(index: i32) {
  let b = wg();
  let t = lid();
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
  for (var i = t; i < CT * FFN; i += WGS) {
    let p = i / FFN;
    let f = i % FFN;
    let acc = mulWT(g0 + p * K_POS + K_DZ3, O_W2, f, DIM, DIM);
    result[g0 + p * K_POS + K_DU + f] = select(0.0, acc, dec[e + p * C_POS + C_U + f] > 0.0);
  }
  storageBarrier();
  for (var i = t; i < CT * DIM; i += WGS) {
    let g = g0 + (i / DIM) * K_POS;
    let j = i % DIM;
    let acc = mulWT(g + K_DU, O_W1, j, FFN, FFN);
    result[g + K_DZ2 + j] = result[g + K_DZ3 + j] + acc;
  }
  storageBarrier();
  for (var p = t; p < CT; p += WGS) { normBack(g0 + p * K_POS + K_DZ2, e + p * C_POS + C_H2, dec[e + p * C_POS + C_R2]); }
  storageBarrier();
  for (var i = t; i < CT * DIM; i += WGS) {
    let g = g0 + (i / DIM) * K_POS;
    let k = i % DIM;
    let acc = mulWT(g + K_DZ2, O_WO, k, DIM, DIM);
    result[g + K_DCCTX + k] = acc;
  }
  storageBarrier();
  for (var i = t; i < CT * HEADS; i += WGS) {
    let p = i / HEADS;
    let h = i % HEADS;
    let g = g0 + p * K_POS;
    let pr = e + p * C_POS + C_CP + h * SEQ;
    var dot = 0.0;
    for (var s = 0; s < SEQ; s++) {
      var dp = 0.0;
      for (var c = 0; c < HD; c++) { dp += result[g + K_DCCTX + h * HD + c] * dec[e + C_KV + s * 2 * DIM + DIM + h * HD + c]; }
      result[g + K_DS + h * SEQ + s] = dp;
      dot += dp * dec[pr + s];
    }
    for (var s = 0; s < SEQ; s++) { result[g + K_DS + h * SEQ + s] = dec[pr + s] * (result[g + K_DS + h * SEQ + s] - dot); }
  }
  storageBarrier();
  for (var i = t; i < CT * DIM; i += WGS) {
    let g = g0 + (i / DIM) * K_POS;
    let c = i % DIM;
    let h = c / HD;
    var acc = 0.0;
    for (var s = 0; s < SEQ; s++) { acc += result[g + K_DS + h * SEQ + s] * dec[e + C_KV + s * 2 * DIM + c]; }
    result[g + K_DQ2 + c] = acc * SCALE;
  }
  for (var i = t; i < SEQ * DIM; i += WGS) {
    let s = i / DIM;
    let c = i % DIM;
    let h = c / HD;
    var dk = 0.0;
    var dv = 0.0;
    for (var p = 0; p < CT; p++) {
      let g = g0 + p * K_POS;
      dk += result[g + K_DS + h * SEQ + s] * dec[e + p * C_POS + C_Q2 + c];
      dv += dec[e + p * C_POS + C_CP + h * SEQ + s] * result[g + K_DCCTX + c];
    }
    let row = (r0 + s) * G_ROW;
    result[row + DIM + c] = SCALE * dk;
    result[row + 2 * DIM + c] = dv;
  }
  storageBarrier();
  for (var i = t; i < SEQ * DIM; i += WGS) {
    let row = (r0 + i / DIM) * G_ROW;
    let k = i % DIM;
    var acc = 0.0;
    for (var j = 0; j < DIM; j++) {
      acc += result[row + DIM + j] * theta[O_WK + k * DIM + j] + result[row + 2 * DIM + j] * theta[O_WV + k * DIM + j];
    }
    result[row + k] = acc;
  }
  for (var i = t; i < CT * DIM; i += WGS) {
    let g = g0 + (i / DIM) * K_POS;
    let j = i % DIM;
    let acc = mulWT(g + K_DQ2, O_WQ, j, DIM, DIM);
    result[g + K_DZ1 + j] = result[g + K_DZ2 + j] + acc;
  }
  storageBarrier();
  for (var p = t; p < CT; p += WGS) { normBack(g0 + p * K_POS + K_DZ1, e + p * C_POS + C_H1, dec[e + p * C_POS + C_R1]); }
  storageBarrier();
  for (var i = t; i < CT * DIM; i += WGS) {
    let g = g0 + (i / DIM) * K_POS;
    let k = i % DIM;
    let acc = mulWT(g + K_DZ1, O_WO, k, DIM, DIM);
    result[g + K_DSCTX + k] = acc;
  }
  storageBarrier();
  for (var i = t; i < CT * HEADS; i += WGS) {
    let p = i / HEADS;
    let h = i % HEADS;
    let g = g0 + p * K_POS;
    let pr = e + p * C_POS + C_SP + h * CT;
    var dot = 0.0;
    for (var j = 0; j < CT; j++) {
      var dp = 0.0;
      for (var c = 0; c < HD; c++) { dp += result[g + K_DSCTX + h * HD + c] * dec[e + j * C_POS + C_SQ + 2 * DIM + h * HD + c]; }
      result[g + K_DSS + h * CT + j] = dp;
      dot += dp * dec[pr + j];
    }
    for (var j = 0; j < CT; j++) { result[g + K_DSS + h * CT + j] = dec[pr + j] * (result[g + K_DSS + h * CT + j] - dot); }
  }
  storageBarrier();
  for (var i = t; i < CT * 3 * DIM; i += WGS) {
    let p = i / (3 * DIM);
    let m = (i % (3 * DIM)) / DIM;
    let c = i % DIM;
    let h = c / HD;
    var acc = 0.0;
    if (m == 0) {
      for (var j = 0; j < CT; j++) { acc += result[g0 + p * K_POS + K_DSS + h * CT + j] * dec[e + j * C_POS + C_SQ + DIM + c]; }
      acc = acc * SCALE;
    } else if (m == 1) {
      for (var a = 0; a < CT; a++) { acc += result[g0 + a * K_POS + K_DSS + h * CT + p] * dec[e + a * C_POS + C_SQ + c]; }
      acc = acc * SCALE;
    } else {
      for (var a = 0; a < CT; a++) { acc += dec[e + a * C_POS + C_SP + h * CT + p] * result[g0 + a * K_POS + K_DSCTX + c]; }
    }
    result[g0 + p * K_POS + K_DSQ + m * DIM + c] = acc;
  }
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
// Position row r (example r / CT, position r % CT): its decoder state and its gradients.
fn dv(r: i32, k: i32) -> f32 { return dec[(r / CT) * C_STRIDE + (r % CT) * C_POS + k]; }
fn gv(r: i32, k: i32) -> f32 { return bwd[G_BASE + r * K_POS + k]; }
fn main(index: i32) {
  var i = wg() * WGS + lid();
  let Q = BATCH * CT;
  if (i < DIM * DIM) {
    var acc = 0.0;
    for (var r = 0; r < Q; r++) { acc += dv(r, C_H1 + i / DIM) * gv(r, K_DQ2 + i % DIM); }
    result[G + O_WQ + i] += acc;
    return;
  }
  i -= DIM * DIM;
  if (i < 2 * DIM * DIM) {
    let m = i / (DIM * DIM);
    let a = (i / DIM) % DIM;
    let j = i % DIM;
    var acc = 0.0;
    for (var r = 0; r < ROWS; r++) { acc += xv(r, a) * bwd[r * G_ROW + DIM + m * DIM + j]; }
    result[G + O_WK + i] += acc;
    return;
  }
  i -= 2 * DIM * DIM;
  if (i < DIM * DIM) {
    var acc = 0.0;
    for (var r = 0; r < Q; r++) {
      acc += dv(r, C_CCTX + i / DIM) * gv(r, K_DZ2 + i % DIM) + dv(r, C_SCTX + i / DIM) * gv(r, K_DZ1 + i % DIM);
    }
    result[G + O_WO + i] += acc;
    return;
  }
  i -= DIM * DIM;
  if (i < DIM * FFN) {
    var acc = 0.0;
    for (var r = 0; r < Q; r++) { acc += dv(r, C_H2 + i / FFN) * gv(r, K_DU + i % FFN); }
    result[G + O_W1 + i] += acc;
    return;
  }
  i -= DIM * FFN;
  if (i < FFN) {
    var acc = 0.0;
    for (var r = 0; r < Q; r++) { acc += gv(r, K_DU + i); }
    result[G + O_B1 + i] += acc;
    return;
  }
  i -= FFN;
  if (i < FFN * DIM) {
    var acc = 0.0;
    for (var r = 0; r < Q; r++) { acc += dv(r, C_U + i / DIM) * gv(r, K_DZ3 + i % DIM); }
    result[G + O_W2 + i] += acc;
    return;
  }
  i -= FFN * DIM;
  if (i < DIM) {
    var acc = 0.0;
    for (var r = 0; r < Q; r++) { acc += gv(r, K_DZ3 + i); }
    result[G + O_B2 + i] += acc;
    return;
  }
  i -= DIM;
  if (i < 3 * DIM * DIM) {
    let m = i / (DIM * DIM);
    let a = (i / DIM) % DIM;
    let j = i % DIM;
    var acc = 0.0;
    for (var r = 0; r < Q; r++) { acc += dv(r, C_Y + a) * gv(r, K_DSQ + m * DIM + j); }
    var w = O_SWQ;
    if (m == 1) { w = O_SWK; }
    if (m == 2) { w = O_WVS; }
    result[G + w + a * DIM + j] += acc;
  }
}`,
  };
}

/** Gradients of every input row, a workgroup per row: each code's row (read by the
 *  output softmax, the decoder's inputs and, summed per item, the encoder's inputs) and
 *  its bias; each word or special token's row (the start token's from the decoder); the
 *  encoder's and the decoder's position rows. Summed in a fixed order: deterministic, no
 *  atomics. In place. */
export function codeEmbedGrad(l: ArenaLayout, B: number, p: Packing, q: CodePacking): FusedKernel {
  const tokenRows = l.table - l.items; // words and special tokens
  return {
    name: 'BridgeCodeEmbedGrad', inputs: ['ebwd', 'bwd', 'ce', 'dec', 'batch', 'codes'], constants: constants(l, B, p, q, { TOKEN_ROWS: tokenRows }),
    workgroups: q.CV + tokenRows + l.seq + q.CT, outputSize: 0, dtype: 'float32', inPlace: true,
    body: `${codebookHelpers(l.codes!)}
var<workgroup> hit: atomic<u32>;
fn main(index: i32) {
  let w = wg();
  let t = lid();
  let tokenRow = w - CV;
  for (var r = t; r < ROWS; r += WGS) { if (batch[r] == ITEMS + tokenRow) { atomicStore(&hit, 1u); } }
  workgroupBarrier();
  if (w < CV) {
    let p = codePos(w);
    let local = w - codeOff(p);
    for (var d = t; d <= DIM; d += WGS) {
      var acc = 0.0;
      for (var b = 0; b < BATCH; b++) {
        let g = ce[(b * CT + p) * CE_STRIDE + local];
        if (d == DIM) { acc += g; } else { acc += g * dec[b * C_STRIDE + p * C_POS + C_H3 + d]; }
      }
      if (d == DIM) { result[G + O_BIAS + w] += acc; continue; }
      if (p + 1 < CT) {
        for (var b = 0; b < BATCH; b++) {
          if (codes[batch[ROWS + b] * CT + p] == w) { acc += bwd[G_BASE + (b * CT + p + 1) * K_POS + K_DY + d]; }
        }
      }
      for (var r = 0; r < ROWS; r++) {
        let tok = batch[r];
        if (tok < ITEMS) { if (codes[tok * CT + p] == w) { acc += ebwd[r * B_STRIDE + B_DX + d]; } }
      }
      result[G + O_CODES + w * DIM + d] += acc;
    }
    return;
  }
  if (tokenRow < TOKEN_ROWS) {
    let bos = ITEMS + tokenRow == BOS_ROW;
    if (atomicLoad(&hit) == 0u && !bos) { return; }
    for (var d = t; d < DIM; d += WGS) {
      var acc = 0.0;
      for (var r = 0; r < ROWS; r++) { if (batch[r] == ITEMS + tokenRow) { acc += ebwd[r * B_STRIDE + B_DX + d]; } }
      if (bos) { for (var b = 0; b < BATCH; b++) { acc += bwd[G_BASE + b * CT * K_POS + K_DY + d]; } }
      result[G + O_TOK + tokenRow * DIM + d] += acc;
    }
    return;
  }
  if (tokenRow < TOKEN_ROWS + SEQ) {
    let s = tokenRow - TOKEN_ROWS;
    for (var d = t; d < DIM; d += WGS) {
      var acc = 0.0;
      for (var b = 0; b < BATCH; b++) { acc += ebwd[(b * SEQ + s) * B_STRIDE + B_DX + d]; }
      result[G + O_POS + s * DIM + d] += acc;
    }
    return;
  }
  let p = tokenRow - TOKEN_ROWS - SEQ;
  for (var d = t; d < DIM; d += WGS) {
    var acc = 0.0;
    for (var b = 0; b < BATCH; b++) { acc += bwd[G_BASE + (b * CT + p) * K_POS + K_DY + d]; }
    result[G + O_DECPOS + p * DIM + d] += acc;
  }
}`,
  };
}

/**
 * Inference (beam search, ids/beam.ts): the column layout of one hypothesis's decoder
 * states in `codeStates`' output, for the positions 0 … level (inputs y, self keys and
 * values for all of them; the rest for the last position only, as `decodeStates` with
 * `lastOnly`): y (CT·D) | sk (CT·D) | sv (CT·D) | sq | sp (H·CT) | sctx | h1 | rstd1 | q2 |
 * cp (H·S) | cctx | h2 | rstd2 | u (F) | h3 | rstd3.
 */
export function scorePacking(l: ArenaLayout) {
  const c = l.codes!;
  const D = l.dim, T = c.length, HT = l.heads * T, HS = l.heads * l.seq;
  const Z_SQ = 3 * T * D, Z_SP = Z_SQ + D, Z_SCTX = Z_SP + HT, Z_H1 = Z_SCTX + D, Z_R1 = Z_H1 + D, Z_Q2 = Z_R1 + 1, Z_CP = Z_Q2 + D;
  const Z_CCTX = Z_CP + HS, Z_H2 = Z_CCTX + D, Z_R2 = Z_H2 + D, Z_U = Z_R2 + 1, Z_H3 = Z_U + l.ffn, Z_R3 = Z_H3 + D;
  return { Z_Y: 0, Z_SK: T * D, Z_SV: 2 * T * D, Z_SQ, Z_SP, Z_SCTX, Z_H1, Z_R1, Z_Q2, Z_CP, Z_CCTX, Z_H2, Z_R2, Z_U, Z_H3, Z_R3, Z_STRIDE: Z_R3 + 1, HYP: T + 1 };
}

/** The cross-attention keys and values of a batch's encoder rows, a workgroup per input:
 *  [B, S·2D] (k | v per row), computed once for all of its hypotheses. */
export function codeCrossKeys(l: ArenaLayout, B: number, p: Packing, x: View): FusedKernel {
  return {
    name: 'BridgeCodeCrossKeys', inputs: ['xin', 'theta'], constants: { ...shapeConstants(l, B), ...blockConstants(l.decoder), ...p, X_STRIDE: x.stride, X_OFF: x.offset },
    workgroups: B, outputSize: B * l.seq * 2 * l.dim, dtype: 'float32', inPlace: false,
    body: `${X_VIEW}
fn main(index: i32) {
  let b = wg();
  for (var i = lid(); i < SEQ * 2 * DIM; i += WGS) {
    let s = i / (2 * DIM);
    let c = i % (2 * DIM);
    let w = O_WK + (c / DIM) * DIM * DIM + c % DIM;
    var acc = 0.0;
    for (var k = 0; k < DIM; k++) { acc += xv(b * SEQ + s, k) * theta[w + k * DIM]; }
    result[b * SEQ * 2 * DIM + i] = acc;
  }
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
fn main(index: i32) {
  let hyp = wg();
  let t = lid();
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
  for (var h = t; h < HEADS; h += WGS) {
    var mx = -3.0e38;
    for (var j = 0; j < P; j++) {
      var sc = 0.0;
      for (var c = 0; c < HD; c++) { sc += result[o + Z_SQ + h * HD + c] * result[o + Z_SK + j * DIM + h * HD + c]; }
      sc = sc * SCALE;
      result[o + Z_SP + h * CT + j] = sc;
      mx = max(mx, sc);
    }
    var sum = 0.0;
    for (var j = 0; j < P; j++) { let ex = exp(result[o + Z_SP + h * CT + j] - mx); result[o + Z_SP + h * CT + j] = ex; sum += ex; }
    for (var j = 0; j < P; j++) { result[o + Z_SP + h * CT + j] = result[o + Z_SP + h * CT + j] / sum; }
  }
  storageBarrier();
  for (var c = t; c < DIM; c += WGS) {
    let h = c / HD;
    var acc = 0.0;
    for (var j = 0; j < P; j++) { acc += result[o + Z_SP + h * CT + j] * result[o + Z_SV + j * DIM + c]; }
    result[o + Z_SCTX + c] = acc;
  }
  storageBarrier();
  for (var j = t; j < DIM; j += WGS) {
    let acc = mulW(o + Z_SCTX, O_WO, j, DIM, DIM);
    result[o + Z_H1 + j] = result[o + Z_Y + last * DIM + j] + acc;
  }
  storageBarrier();
  if (t == 0) { layerNorm(o + Z_H1, o + Z_R1); }
  storageBarrier();
  for (var j = t; j < DIM; j += WGS) {
    let acc = mulW(o + Z_H1, O_WQ, j, DIM, DIM);
    result[o + Z_Q2 + j] = acc;
  }
  storageBarrier();
  for (var h = t; h < HEADS; h += WGS) {
    var mx = -3.0e38;
    for (var s = 0; s < SEQ; s++) {
      var sc = 0.0;
      for (var c = 0; c < HD; c++) { sc += kv[e + s * 2 * DIM + h * HD + c] * result[o + Z_Q2 + h * HD + c]; }
      sc = sc * SCALE + keyBias(g * SEQ + s);
      result[o + Z_CP + h * SEQ + s] = sc;
      mx = max(mx, sc);
    }
    var sum = 0.0;
    for (var s = 0; s < SEQ; s++) { let ex = exp(result[o + Z_CP + h * SEQ + s] - mx); result[o + Z_CP + h * SEQ + s] = ex; sum += ex; }
    for (var s = 0; s < SEQ; s++) { result[o + Z_CP + h * SEQ + s] = result[o + Z_CP + h * SEQ + s] / sum; }
  }
  storageBarrier();
  for (var c = t; c < DIM; c += WGS) {
    let h = c / HD;
    var acc = 0.0;
    for (var s = 0; s < SEQ; s++) { acc += result[o + Z_CP + h * SEQ + s] * kv[e + s * 2 * DIM + DIM + c]; }
    result[o + Z_CCTX + c] = acc;
  }
  storageBarrier();
  for (var j = t; j < DIM; j += WGS) {
    let acc = mulW(o + Z_CCTX, O_WO, j, DIM, DIM);
    result[o + Z_H2 + j] = result[o + Z_H1 + j] + acc;
  }
  storageBarrier();
  if (t == 0) { layerNorm(o + Z_H2, o + Z_R2); }
  storageBarrier();
  for (var f = t; f < FFN; f += WGS) {
    let acc = mulW(o + Z_H2, O_W1, f, DIM, FFN);
    result[o + Z_U + f] = max(acc + theta[O_B1 + f], 0.0);
  }
  storageBarrier();
  for (var j = t; j < DIM; j += WGS) {
    let acc = mulW(o + Z_U, O_W2, j, FFN, DIM);
    result[o + Z_H3 + j] = result[o + Z_H2 + j] + (acc + theta[O_B2 + j]);
  }
  storageBarrier();
  if (t == 0) { layerNorm(o + Z_H3, o + Z_R3); }
}`,
  };
}

/** Each hypothesis's scores of the codes at position `level`: h3 · codeTableᵀ + bias over
 *  that position's codebook, a workgroup per hypothesis: [R, MAXC] (the first
 *  `sizes[level]` of each row are set; what beam search reads back). */
export function codeLevelLogits(l: ArenaLayout, B: number, hypotheses: number): FusedKernel {
  const z = scorePacking(l), c = l.codes!;
  const MAXC = Math.max(...c.sizes);
  return {
    name: 'BridgeCodeLevelLogits', inputs: ['states', 'theta'],
    constants: { ...shapeConstants(l, B), Z_H3: z.Z_H3, Z_STRIDE: z.Z_STRIDE, MAXC, O_CODES: l.itemEmbedding },
    workgroups: hypotheses, outputSize: hypotheses * MAXC, dtype: 'float32', inPlace: false, uniforms: 'level : i32,',
    body: `${codebookHelpers(c)}
fn main(index: i32) {
  let hyp = wg();
  let off = codeOff(uniforms.level);
  let h3 = hyp * Z_STRIDE + Z_H3;
  for (var c = lid(); c < codeSize(uniforms.level); c += WGS) {
    var acc = 0.0;
    for (var d = 0; d < DIM; d++) { acc += states[h3 + d] * theta[O_CODES + (off + c) * DIM + d]; }
    result[hyp * MAXC + c] = acc + theta[O_BIAS + off + c];
  }
}`,
  };
}
