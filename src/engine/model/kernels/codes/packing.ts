/**
 * The code head's kernels (heads/codes.ts, ids/code-decoder.ts), by layer as the atomic
 * ones: packing.ts (the column layouts of their buffers and the codebook's WGSL),
 * embedding.ts (the encoder's input rows, an item being the sum of its codes' rows, and
 * every input row's gradient), decoder.ts (the code decoder, teacher forced and for beam
 * search, and its backward), output.ts (each position's softmax over its codebook and its
 * cross-entropy; the scores beam search reads). Forward beside backward in each; "dx"
 * kernels write activations' gradients to a new buffer, "weight" kernels add parameter
 * gradients into the arena's g segment.
 */
import type { CodeLayout } from '../../parts';
import type { ArenaLayout } from '../layout';
import { blockConstants, shapeConstants, type Packing } from '../packing';

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
export function codebookHelpers(c: CodeLayout): string {
  const off = c.offsets.map((o, p) => `  if (p == ${p}) { return ${o}; }`).join('\n');
  const size = c.sizes.map((s, p) => `  if (p == ${p}) { return ${s}; }`).join('\n');
  const pos = c.offsets.map((o, p) => `  if (c < ${o + c.sizes[p]}) { return ${p}; }`).join('\n');
  return `
fn codeOff(p: i32) -> i32 {\n${off}\n  return 0;\n}
fn codeSize(p: i32) -> i32 {\n${size}\n  return 0;\n}
fn codePos(c: i32) -> i32 {\n${pos}\n  return ${c.length - 1};\n}
`;
}

export function constants(l: ArenaLayout, B: number, p: Packing, q: CodePacking, extra: Record<string, number> = {}): Record<string, number> {
  return { ...shapeConstants(l, B), ...blockConstants(l.decoder), ...p, ...q, ...extra };
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
