/** The code head's output: each position's softmax over its codebook with its cross-entropy and gradient, the batch's loss, and the per-level scores beam search reads. */
import type { FusedKernel } from '../program';
import type { ArenaLayout } from '../layout';
import { shapeConstants, type Packing } from '../packing';
import { REDUCE, softmaxCrossEntropyWgsl, workgroupMain } from '../wgsl';
import { codebookHelpers, constants, scorePacking, type CodePacking } from './packing';

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
${workgroupMain('row')}
  let b = row / CT;
  let p = row % CT;
  let h3 = b * C_STRIDE + p * C_POS + C_H3;
  let off = codeOff(p);
  let size = codeSize(p);
  let o = row * CE_STRIDE;
${softmaxCrossEntropyWgsl({ n: 'size', x: 'h3', row: (c) => `O_CODES + (off + ${c}) * DIM`, bias: (c) => `O_BIAS + off + ${c}`, answer: 'codes[batch[ROWS + b] * CT + p] - off', loss: 'MAXC' })}
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
