/**
 * WGSL helpers the fused kernels share: layer norm, workgroup reductions, the key mask,
 * softmax, and the view of an activation buffer's rows.
 */

/** Normalises DIM values of `result` in place from `at`, storing 1/σ at `rstdAt`. */
export const LAYER_NORM = `
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
export const REDUCE = `
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

export const KEY_BIAS = `fn keyBias(r: i32) -> f32 { return select(-1e9, 0.0, batch[r] != PAD); }`;

/** Softmax of SEQ consecutive scores in the output buffer, in place (max-subtracted, as tfjs). */
export const SOFTMAX = `
fn softmaxInPlace(at: i32) {
  var mx = -3.0e38;
  for (var j = 0; j < SEQ; j++) { mx = max(mx, result[at + j]); }
  var sum = 0.0;
  for (var j = 0; j < SEQ; j++) { let ex = exp(result[at + j] - mx); result[at + j] = ex; sum += ex; }
  for (var j = 0; j < SEQ; j++) { result[at + j] = result[at + j] / sum; }
}
`;

/** A row of `result` times a weight matrix of `theta` (kernels that read the weights from an input named
 *  `theta`), over n inputs, for a matrix with `cols` columns at `w`: (x · W)[j] and (x · Wᵀ)[j]. */
export const MAT_VEC = `
fn mulW(x: i32, w: i32, j: i32, n: i32, cols: i32) -> f32 {
  var acc = 0.0;
  for (var k = 0; k < n; k++) { acc += result[x + k] * theta[w + k * cols + j]; }
  return acc;
}
fn mulWT(x: i32, w: i32, j: i32, n: i32, cols: i32) -> f32 {
  var acc = 0.0;
  for (var k = 0; k < n; k++) { acc += result[x + k] * theta[w + j * cols + k]; }
  return acc;
}
`;

/** The decoder's cross-attention key and value maps' gradient (Wk then Wv, element `i` < 2·DIM·DIM),
 *  summed over the encoder rows: their input (`xv`) times the rows' dk | dv (`bwd`, G_ROW per row). */
export const CROSS_KV_WEIGHT_GRAD = `
fn crossKvWeightGrad(i: i32) -> f32 {
  let m = i / (DIM * DIM);
  let a = (i / DIM) % DIM;
  let j = i % DIM;
  var acc = 0.0;
  for (var r = 0; r < ROWS; r++) { acc += xv(r, a) * bwd[r * G_ROW + DIM + m * DIM + j]; }
  return acc;
}
`;

/** Statements: each of the example's SEQ encoder rows (from `r0`, G_ROW each: dx | dk | dv)
 *  gets its input's gradient from the cross-attention, dx = dk · Wkᵀ + dv · Wvᵀ. */
export const ENCODER_ROWS_DX = `  for (var i = t; i < SEQ * DIM; i += WGS) {
    let row = (r0 + i / DIM) * G_ROW;
    let k = i % DIM;
    var acc = 0.0;
    for (var j = 0; j < DIM; j++) {
      acc += result[row + DIM + j] * theta[O_WK + k * DIM + j] + result[row + 2 * DIM + j] * theta[O_WV + k * DIM + j];
    }
    result[row + k] = acc;
  }`;

export const X_VIEW = `fn xv(r: i32, k: i32) -> f32 { return xin[r * X_STRIDE + X_OFF + k]; }`;

/** What both attention kernels (encoder block, decoder) use. */
export const ATTENTION_HELPERS = [LAYER_NORM, SOFTMAX, KEY_BIAS, X_VIEW, MAT_VEC].join('\n');

/**
 * The decoder block's statements, shared by every decoder kernel (the atomic one-step
 * decoder, the code decoder teacher forced, and its beam-search states). They run inside
 * `main` with `t = lid()` and loop over `rows.count` rows (a WGSL expression: `1`, or `CT`
 * positions), row `r` starting at `rows.at(r)` in `result`; the other offsets are column
 * names within a row. One row computes exactly what a kernel written for one row did.
 */
export interface DecoderRows { count: string; at: (r: string) => string }

/** The cross-attention keys and values of SEQ encoder rows (`xv(xRow(s), k)`), k | v per key row, to `dst(s, c)`. */
export function crossKeysWgsl(xRow: (s: string) => string, dst: (s: string, c: string) => string): string {
  return `  for (var i = t; i < SEQ * 2 * DIM; i += WGS) {
    let s = i / (2 * DIM);
    let c = i % (2 * DIM);
    let w = O_WK + (c / DIM) * DIM * DIM + c % DIM;
    var acc = 0.0;
    for (var k = 0; k < DIM; k++) { acc += xv(${xRow('s')}, k) * theta[w + k * DIM]; }
    ${dst('s', 'c')} = acc;
  }`;
}

/** The keys an attention reads: `count` of them (a WGSL expression), row `r`'s key `s` at
 *  `k(s, offset)` and value at `v(s, offset)` (offset within DIM), its additive mask
 *  `bias(s)`; the probabilities of a row and head sit `stride` apart. */
export interface Keys { count: string; stride: string; k: (s: string, off: string) => string; v: (s: string, off: string) => string; bias: (s: string) => string }

/** The cross-attention keys: SEQ encoder rows, k | v per key row at `kv(offset)`, masked by `keyBias(keyRow(s))`. */
export function encoderKeys(kv: (offset: string) => string, keyRow: (s: string) => string): Keys {
  return { count: 'SEQ', stride: 'SEQ', k: (s, off) => kv(`${s} * 2 * DIM + ${off}`), v: (s, off) => kv(`${s} * 2 * DIM + DIM + ${off}`), bias: (s) => `keyBias(${keyRow(s)})` };
}

/** Each row's query at column `q` attends over `keys`: probabilities at `p` (H · keys.stride),
 *  context at `ctx`. Row `r`'s index is `r` in the WGSL (for a causal mask). */
export function attentionWgsl(rows: DecoderRows, c: { q: string; p: string; ctx: string }, keys: Keys): string {
  return `  for (var i = t; i < ${rows.count} * HEADS; i += WGS) {
    let r = i / HEADS;
    let row = ${rows.at('r')};
    let h = i % HEADS;
    let at = row + ${c.p} + h * ${keys.stride};
    var mx = -3.0e38;
    for (var s = 0; s < ${keys.count}; s++) {
      var sc = 0.0;
      for (var c = 0; c < HD; c++) { sc += ${keys.k('s', 'h * HD + c')} * result[row + ${c.q} + h * HD + c]; }
      sc = sc * SCALE + ${keys.bias('s')};
      result[at + s] = sc;
      mx = max(mx, sc);
    }
    var sum = 0.0;
    for (var s = 0; s < ${keys.count}; s++) { let ex = exp(result[at + s] - mx); result[at + s] = ex; sum += ex; }
    for (var s = 0; s < ${keys.count}; s++) { result[at + s] = result[at + s] / sum; }
  }
  storageBarrier();
  for (var i = t; i < ${rows.count} * DIM; i += WGS) {
    let row = ${rows.at('i / DIM')};
    let c = i % DIM;
    let h = c / HD;
    var acc = 0.0;
    for (var s = 0; s < ${keys.count}; s++) { acc += result[row + ${c.p} + h * ${keys.stride} + s] * ${keys.v('s', 'c')}; }
    result[row + ${c.ctx} + c] = acc;
  }`;
}

/** Statements: for each of `count` rows (row r at `row(r)`) and each of its `n` outputs (`out`): `acc` = `mul` (a MAT_VEC
 *  call on the row, at `row`), then the statement `write` (row at `row`, output `out`). Every projection below. */
function rowMatVecWgsl(count: string, row: (r: string) => string, n: string, out: string, mul: string, write: string): string {
  return `  for (var i = t; i < ${count} * ${n}; i += WGS) {
    let row = ${row(`i / ${n}`)};
    let ${out} = i % ${n};
    let acc = ${mul};
    ${write}
  }`;
}

/** Each row's `src` times the DIM × DIM weights at `w`, to `dst`. */
export function projectWgsl(rows: DecoderRows, src: string, w: string, dst: string): string {
  return rowMatVecWgsl(rows.count, rows.at, 'DIM', 'j', `mulW(row + ${src}, ${w}, j, DIM, DIM)`, `result[row + ${dst} + j] = acc;`);
}

/** dst = LayerNorm(resid + src · Wo), with 1/σ at `rstd`. */
export function residualNormWgsl(rows: DecoderRows, c: { src: string; resid: string; dst: string; rstd: string }): string {
  return `${rowMatVecWgsl(rows.count, rows.at, 'DIM', 'j', `mulW(row + ${c.src}, O_WO, j, DIM, DIM)`, `result[row + ${c.dst} + j] = result[row + ${c.resid} + j] + acc;`)}
  storageBarrier();
  for (var r = t; r < ${rows.count}; r += WGS) { layerNorm(${rows.at('r')} + ${c.dst}, ${rows.at('r')} + ${c.rstd}); }`;
}

/** The FFN with its residual and norm: u = relu(h · W1 + b1), y = LayerNorm(h + u · W2 + b2), 1/σ at `rstd`. */
export function ffnNormWgsl(rows: DecoderRows, c: { h: string; u: string; y: string; rstd: string }): string {
  return `${rowMatVecWgsl(rows.count, rows.at, 'FFN', 'f', `mulW(row + ${c.h}, O_W1, f, DIM, FFN)`, `result[row + ${c.u} + f] = max(acc + theta[O_B1 + f], 0.0);`)}
  storageBarrier();
${rowMatVecWgsl(rows.count, rows.at, 'DIM', 'j', `mulW(row + ${c.u}, O_W2, j, FFN, DIM)`, `result[row + ${c.y} + j] = result[row + ${c.h} + j] + (acc + theta[O_B2 + j]);`)}
  storageBarrier();
  for (var r = t; r < ${rows.count}; r += WGS) { layerNorm(${rows.at('r')} + ${c.y}, ${rows.at('r')} + ${c.rstd}); }`;
}

/** A backward kernel's rows: `count` of them, row `r`'s gradient row at `grad(r)` and its forward row (in `dec`) at `fwd(r)`. */
export interface BackRows { count: string; grad: (r: string) => string; fwd: (r: string) => string }

/** An attention's backward down to its scores: the context's gradient dctx = dz · Woᵀ, then
 *  through the softmax, ds = p · (dp − Σ dp · p) with dp = dctx · values (`keys.v`); columns
 *  of the gradient row (dz, dctx, ds: H · keys.stride) and of the forward row (probs). */
export function attentionBackWgsl(rows: BackRows, c: { dz: string; dctx: string; ds: string; probs: string }, keys: Keys): string {
  return `${rowMatVecWgsl(rows.count, rows.grad, 'DIM', 'k', `mulWT(row + ${c.dz}, O_WO, k, DIM, DIM)`, `result[row + ${c.dctx} + k] = acc;`)}
  storageBarrier();
  for (var i = t; i < ${rows.count} * HEADS; i += WGS) {
    let r = i / HEADS;
    let h = i % HEADS;
    let g = ${rows.grad('r')};
    let pr = ${rows.fwd('r')} + ${c.probs} + h * ${keys.stride};
    var dot = 0.0;
    for (var s = 0; s < ${keys.count}; s++) {
      var dp = 0.0;
      for (var c = 0; c < HD; c++) { dp += result[g + ${c.dctx} + h * HD + c] * ${keys.v('s', 'h * HD + c')}; }
      result[g + ${c.ds} + h * ${keys.stride} + s] = dp;
      dot += dp * dec[pr + s];
    }
    for (var s = 0; s < ${keys.count}; s++) { result[g + ${c.ds} + h * ${keys.stride} + s] = dec[pr + s] * (result[g + ${c.ds} + h * ${keys.stride} + s] - dot); }
  }`;
}

/** The query's gradient from the scores' (ds, H · keys.stride): dq = SCALE · ds · keys. */
export function queryGradWgsl(rows: BackRows, c: { ds: string; dq: string }, keys: Keys): string {
  return `  for (var i = t; i < ${rows.count} * DIM; i += WGS) {
    let g = ${rows.grad('i / DIM')};
    let c = i % DIM;
    let h = c / HD;
    var acc = 0.0;
    for (var s = 0; s < ${keys.count}; s++) { acc += result[g + ${c.ds} + h * ${keys.stride} + s] * ${keys.k('s', 'c')}; }
    result[g + ${c.dq} + c] = acc * SCALE;
  }`;
}

/** One block of a weight-gradient kernel: `size` of its elements (element `i` from 0 within the block). Either the
 *  sum over the rows of `sum(r)` added to θ at `at` + i, or statements of its own (`body`). */
export type GradBlock = { size: string; at: string; sum: (r: string) => string } | { size: string; body: string };

/** Statements: a weight-gradient kernel's blocks one after another, each owning `size` elements of the flat index
 *  `i` (a `var`): the element in the block's range adds its gradient, summed over `rows` rows, and returns. */
export function weightGradWgsl(rows: string, blocks: GradBlock[]): string {
  return blocks.map((b, n) => {
    const inner = 'body' in b ? b.body : `    var acc = 0.0;
    for (var r = 0; r < ${rows}; r++) { acc += ${b.sum('r')}; }
    result[G + ${b.at} + i] += acc;`;
    return `  if (i < ${b.size}) {
${inner}
    return;
  }${n < blocks.length - 1 ? `\n  i -= ${b.size};` : ''}`;
  }).join('\n');
}

/** Element `k` (an expression) of row `r`'s vector in some buffer: how a weight-gradient block reads its rows. */
export type Col = (r: string, k: string) => string;

/** A layer's FFN weight-gradient blocks — W1, b1, W2, b2 — from its input rows `h`, hidden `u`, and the gradients
 *  at its hidden units `du` and its output `dy`. */
export function ffnWeightGradBlocks(h: Col, u: Col, du: Col, dy: Col): GradBlock[] {
  return [
    { size: 'DIM * FFN', at: 'O_W1', sum: (r) => `${h(r, 'i / FFN')} * ${du(r, 'i % FFN')}` },
    { size: 'FFN', at: 'O_B1', sum: (r) => du(r, 'i') },
    { size: 'FFN * DIM', at: 'O_W2', sum: (r) => `${u(r, 'i / DIM')} * ${dy(r, 'i % DIM')}` },
    { size: 'DIM', at: 'O_B2', sum: (r) => dy(r, 'i') },
  ];
}

/** Statements: a projection's backward with its residual, dst = resid + src · Wᵀ (W at θ offset `w`, n × DIM). */
export function residualBackWgsl(rows: BackRows, c: { src: string; w: string; n: string; resid: string; dst: string }): string {
  return rowMatVecWgsl(rows.count, rows.grad, 'DIM', 'j', `mulWT(row + ${c.src}, ${c.w}, j, ${c.n}, ${c.n})`, `result[row + ${c.dst} + j] = result[row + ${c.resid} + j] + acc;`);
}

/** Statements: an FFN's backward from the gradient at its output `dy` (past its norm): through W2 and the ReLU of its
 *  hidden units (`u`, forward row) to `du`, then through W1, with the residual, to its input's `dx`. */
export function ffnBackWgsl(rows: BackRows, c: { dy: string; du: string; u: string; dx: string }): string {
  return `${rowMatVecWgsl(rows.count, rows.grad, 'FFN', 'f', `mulWT(row + ${c.dy}, O_W2, f, DIM, DIM)`, `result[row + ${c.du} + f] = select(0.0, acc, dec[${rows.fwd('i / FFN')} + ${c.u} + f] > 0.0);`)}
  storageBarrier();
${residualBackWgsl(rows, { src: c.du, w: 'O_W1', n: 'FFN', resid: c.dy, dst: c.dx })}`;
}

/** Statements: the cross-attention's backward from the gradient at its output (`dz`) down to the encoder rows — the
 *  scores (attentionBackWgsl), the query (`dq`), each encoder row's key and value gradients summed over the decoder
 *  rows (their queries `q` and probabilities `probs`, forward), then each encoder row's input gradient (G_ROW per
 *  encoder row from `r0`: dx | dk | dv). */
export function crossBackWgsl(rows: BackRows, c: { dz: string; dctx: string; ds: string; probs: string; dq: string; q: string }, keys: Keys): string {
  return `${attentionBackWgsl(rows, c, keys)}
  storageBarrier();
${queryGradWgsl(rows, c, keys)}
  for (var i = t; i < SEQ * DIM; i += WGS) {
    let s = i / DIM;
    let c = i % DIM;
    let h = c / HD;
    var dk = 0.0;
    var dv = 0.0;
    for (var p = 0; p < ${rows.count}; p++) {
      let g = ${rows.grad('p')};
      dk += result[g + ${c.ds} + h * SEQ + s] * dec[${rows.fwd('p')} + ${c.q} + c];
      dv += dec[${rows.fwd('p')} + ${c.probs} + h * SEQ + s] * result[g + ${c.dctx} + c];
    }
    let row = (r0 + s) * G_ROW;
    result[row + DIM + c] = SCALE * dk;
    result[row + 2 * DIM + c] = dv;
  }
  storageBarrier();
${ENCODER_ROWS_DX}`;
}

/** Statements: one row's softmax cross-entropy over `n` classes, the workgroup's threads striding them (with REDUCE):
 *  class c's logit, the state at `x` · its table row (θ offset `row(c)`) + its bias (θ offset `bias(c)`), kept at o + c;
 *  the loss, −log p(answer), at o + `loss`; then each class's gradient, (softmax − onehot) / BATCH, at o + c. */
export function softmaxCrossEntropyWgsl(c: { n: string; x: string; row: (k: string) => string; bias: (k: string) => string; answer: string; loss: string }): string {
  return `  var mx = -3.0e38;
  for (var c = t; c < ${c.n}; c += WGS) {
    var acc = 0.0;
    for (var d = 0; d < DIM; d++) { acc += dec[${c.x} + d] * theta[${c.row('c')} + d]; }
    let logit = acc + theta[${c.bias('c')}];
    result[o + c] = logit;
    mx = max(mx, logit);
  }
  let m = reduceMax(t, mx);
  var sum = 0.0;
  for (var c = t; c < ${c.n}; c += WGS) { sum += exp(result[o + c] - m); }
  let lse = m + log(reduceSum(t, sum));
  let answer = ${c.answer};
  storageBarrier();
  if (t == 0) { result[o + ${c.loss}] = lse - result[o + answer]; }
  storageBarrier();
  for (var c = t; c < ${c.n}; c += WGS) {
    result[o + c] = (exp(result[o + c] - lse) - select(0.0, 1.0, c == answer)) / f32(BATCH);
  }`;
}

/** Statements: a decoder's cross-attention over the encoder rows (`keys`) from its query at `q` (scores to `p`, context
 *  to `ctx`), the residual from `resid` and its norm to `h` (rstd `rh`), then the FFN and its norm to `y` (rstd `ry`). */
export function crossAttentionFfnWgsl(rows: DecoderRows, c: { q: string; p: string; ctx: string; resid: string; h: string; rh: string; u: string; y: string; ry: string }, keys: Keys): string {
  return `${attentionWgsl(rows, c, keys)}
  storageBarrier();
${residualNormWgsl(rows, { src: c.ctx, resid: c.resid, dst: c.h, rstd: c.rh })}
  storageBarrier();
${ffnNormWgsl(rows, { h: c.h, u: c.u, y: c.y, rstd: c.ry })}`;
}

/** The opening of a kernel's main with a workgroup per `unit` (its index, named so) and the thread `t`. */
export function workgroupMain(unit: string): string {
  return `fn main(index: i32) {
  let ${unit} = wg();
  let t = lid();`;
}

/** The opening of a kernel's main with a thread per element `i` of a [rows, cols] grid (none past its end): its row
 *  `r` and column `c`, named so. */
export function elementMain(rows: string, cols: string, r: string, c: string): string {
  return `fn main(index: i32) {
  let i = wg() * WGS + lid();
  if (i >= ${rows} * ${cols}) { return; }
  let ${r} = i / ${cols};
  let ${c} = i % ${cols};`;
}

/** Statements: position row `s`'s gradient, the sum over the batch of the dx of the encoder input rows at that
 *  position (in `buf`, B_STRIDE per row). */
export function positionGradWgsl(buf: string): string {
  return `    for (var d = t; d < DIM; d += WGS) {
      var acc = 0.0;
      for (var b = 0; b < BATCH; b++) { acc += ${buf}[(b * SEQ + s) * B_STRIDE + B_DX + d]; }
      result[G + O_POS + s * DIM + d] += acc;
    }`;
}

/** Statements: a self-attention's query, key and value gradients over `n` positions, from its scores' gradient
 *  (`ds(a, h, b)`: query a, head h, key b), the forward queries and keys (`q(a, c)`, `k(a, c)`), probabilities
 *  (`p(a, h, b)`) and the context's gradient (`dctx(a, c)`); position s's to `dst(s, m, c)` (m: 0 q, 1 k, 2 v). */
export function selfQkvGradWgsl(n: string, x: { ds: (a: string, h: string, b: string) => string; q: Col; k: Col; p: (a: string, h: string, b: string) => string; dctx: Col; dst: (s: string, m: string, c: string) => string }): string {
  return `  for (var i = t; i < ${n} * 3 * DIM; i += WGS) {
    let s = i / (3 * DIM);
    let m = (i % (3 * DIM)) / DIM;
    let c = i % DIM;
    let h = c / HD;
    var acc = 0.0;
    if (m == 0) {
      for (var j = 0; j < ${n}; j++) { acc += ${x.ds('s', 'h', 'j')} * ${x.k('j', 'c')}; }
      acc = acc * SCALE;
    } else if (m == 1) {
      for (var j = 0; j < ${n}; j++) { acc += ${x.ds('j', 'h', 's')} * ${x.q('j', 'c')}; }
      acc = acc * SCALE;
    } else {
      for (var j = 0; j < ${n}; j++) { acc += ${x.p('j', 'h', 's')} * ${x.dctx('j', 'c')}; }
    }
    ${x.dst('s', 'm', 'c')} = acc;
  }`;
}
