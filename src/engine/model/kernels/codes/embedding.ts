/** The code head's input rows: an item is the sum of its codes' rows (forward), and every input row's gradient (backward). */
import { groupsFor, type FusedKernel } from '../program';
import type { ArenaLayout } from '../layout';
import type { Packing } from '../packing';
import { codebookHelpers, constants, type CodePacking } from './packing';
import { workgroupMain, elementMain, positionGradWgsl } from '../wgsl';

/** Encoder input rows: an item token is the sum of its codes' rows, any other token its
 *  own row; plus the position rows (replaces the membership matMul, concat, gather, add). */
export function codeEmbed(l: ArenaLayout, B: number, p: Packing, q: CodePacking): FusedKernel {
  return {
    name: 'BridgeCodeEmbed', inputs: ['batch', 'codes', 'theta'], constants: constants(l, B, p, q),
    workgroups: groupsFor(B * l.seq * l.dim), outputSize: B * l.seq * l.dim, dtype: 'float32', inPlace: false,
    body: `
${elementMain('ROWS', 'DIM', 'r', 'd')}
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
${workgroupMain('w')}
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
${positionGradWgsl('ebwd')}
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
