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

export const X_VIEW = `fn xv(r: i32, k: i32) -> f32 { return xin[r * X_STRIDE + X_OFF + k]; }`;

/** What both attention kernels (encoder block, decoder) use. */
export const ATTENTION_HELPERS = [LAYER_NORM, SOFTMAX, KEY_BIAS, X_VIEW, MAT_VEC].join('\n');
