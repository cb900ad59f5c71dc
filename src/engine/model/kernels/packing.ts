/**
 * Column layouts of the packed activation buffers the fused kernels pass each other.
 * A kernel has one output, so what its backward pass needs (and its scratch) shares a
 * row with its result. Offsets are in floats within a row.
 */
import type { ArenaLayout, BlockOffsets } from './layout';

export interface Packing {
  /** Attention block output, per encoder row: ctx | h1 | rstd1 | q k v | p (H·S). */
  A_CTX: number; A_H: number; A_R: number; A_QKV: number; A_P: number; A_STRIDE: number;
  /** FFN block output, per encoder row: u (F) | h2 | rstd2. */
  F_U: number; F_H: number; F_R: number; F_STRIDE: number;
  /** Decoder output, per batch row: ctx | h | rstd | u | y | rstd | y0 | rstd0 | v0 | q | k v (S·2D) | p (H·S). */
  E_CTX: number; E_H: number; E_RH: number; E_U: number; E_Y: number; E_RY: number;
  E_Y0: number; E_R0: number; E_V0: number; E_Q: number; E_KV: number; E_P: number; E_STRIDE: number;
  /** Decoder backward: per encoder row dx | dk | dv (G_ROW wide), then per batch row
   *  (from G_BASE) dz2 | du | dz | dq | dctx | ds (H·S). */
  G_ROW: number; G_BASE: number; G_DZ2: number; G_DU: number; G_DZ: number; G_DQ: number; G_DCTX: number; G_DS: number; G_STRIDE: number;
  /** Encoder block backward, per row: dx | dz2 | du | dz1 | dctx | ds (H·S) | dq dk dv. */
  B_DX: number; B_DZ2: number; B_DU: number; B_DZ1: number; B_DCTX: number; B_DS: number; B_DQKV: number; B_STRIDE: number;
}

export function packing(l: ArenaLayout, batch: number): Packing {
  const D = l.dim, F = l.ffn, HS = l.heads * l.seq, S = l.seq;
  const E_KV = 6 * D + 3 + F;
  const G_ROW = 3 * D;
  return {
    A_CTX: 0, A_H: D, A_R: 2 * D, A_QKV: 2 * D + 1, A_P: 5 * D + 1, A_STRIDE: 5 * D + 1 + HS,
    F_U: 0, F_H: F, F_R: F + D, F_STRIDE: F + D + 1,
    E_CTX: 0, E_H: D, E_RH: 2 * D, E_U: 2 * D + 1, E_Y: 2 * D + 1 + F, E_RY: 3 * D + 1 + F,
    E_Y0: 3 * D + 2 + F, E_R0: 4 * D + 2 + F, E_V0: 4 * D + 3 + F, E_Q: 5 * D + 3 + F, E_KV, E_P: E_KV + 2 * S * D,
    E_STRIDE: E_KV + 2 * S * D + HS,
    G_ROW, G_BASE: batch * S * G_ROW, G_DZ2: 0, G_DU: D, G_DZ: D + F, G_DQ: 2 * D + F, G_DCTX: 3 * D + F, G_DS: 4 * D + F,
    G_STRIDE: 4 * D + F + HS,
    B_DX: 0, B_DZ2: D, B_DU: 2 * D, B_DZ1: 2 * D + F, B_DCTX: 3 * D + F, B_DS: 4 * D + F, B_DQKV: 4 * D + F + HS,
    B_STRIDE: 7 * D + F + HS,
  };
}

/** Shape constants every kernel sees. */
export function shapeConstants(l: ArenaLayout, batch: number): Record<string, number> {
  return {
    BATCH: batch, SEQ: l.seq, ROWS: batch * l.seq, DIM: l.dim, HEADS: l.heads, HD: l.dim / l.heads, FFN: l.ffn,
    ITEMS: l.items, TABLE: l.table, PAD: l.pad, BOS_ROW: l.bosRow, PARAMS: l.P, G: 3 * l.P,
    O_POS: l.position, O_BIAS: l.bias, SCALE: 1 / Math.sqrt(l.dim / l.heads),
  };
}

/** One block's weight offsets as constants O_WQ … O_B2 (and O_WVS for the decoder). */
export function blockConstants(b: BlockOffsets & { wvSelf?: number }): Record<string, number> {
  const c: Record<string, number> = { O_WQ: b.wq, O_WK: b.wk, O_WV: b.wv, O_WO: b.wo, O_W1: b.w1, O_B1: b.b1, O_W2: b.w2, O_B2: b.b2 };
  if (b.wvSelf !== undefined) c.O_WVS = b.wvSelf;
  return c;
}

/** Where a kernel reads a [rows, D] operand inside a packed buffer. */
export interface View { stride: number; offset: number }
