/**
 * The fused WebGPU step keeps every parameter of a Retriever, its two Adam moments and
 * its gradient in one flat float32 buffer, the *arena*:
 *
 *   [ θ (P) | m (P) | v (P) | g (P) ]
 *
 * θ holds the variables in `Retriever.variables()` order, each row-major, so one packing
 * (a concat) and one unpacking (slices) connect it to the plain model. Kernels read
 * weights at fixed offsets (baked into their WGSL as constants) and add gradients into
 * g; one Adam dispatch updates all of θ, m and v and clears g. This is what turns ~600
 * dispatches a step into ~17.
 */
import type { Retriever } from '../retriever';
import { SPECIAL } from '../../core/encode';
import type { CodeLayout } from '../parts';

/** Offsets (in floats, into θ) of one attention + FFN block's weights. */
export interface BlockOffsets {
  wq: number; wk: number; wv: number; wo: number;
  w1: number; b1: number; w2: number; b2: number;
}

export interface ArenaLayout {
  /** Number of parameters; the arena holds 4·P floats. */
  P: number;
  items: number;
  /** Rows of the input table: items, then words and the special tokens. */
  table: number;
  /** Row of the decoder's start token in the input table. */
  bosRow: number;
  /** The padding token id (the mask is `token != pad`). */
  pad: number;
  dim: number;
  heads: number;
  seq: number;
  ffn: number;
  layers: number;
  /** θ offsets. The item rows start at 0 and the word rows follow them (one table). */
  itemEmbedding: number;
  tokenEmbedding: number;
  position: number;
  encoder: BlockOffsets[];
  decoder: BlockOffsets & { wvSelf: number };
  bias: number;
  /** The variables in θ order, with their offsets. */
  entries: { offset: number; size: number; shape: number[] }[];
  /** Semantic IDs: the code head's offsets and codes (absent with atomic IDs). */
  codes?: CodeLayout;
}

/** Why the fused step cannot train this model, or null when it can. */
export function arenaLayout(model: Retriever): ArenaLayout {
  const why = model.fusedUnsupported();
  if (why) throw new Error(`the fused WebGPU step does not support ${why}`);
  if (!model.head.fusedLayout) throw new Error('the fused WebGPU step does not support a head without a fused layout (IdHead.fusedLayout)');
  const vars = model.variables();
  const offsetOf = new Map<unknown, number>();
  const entries: ArenaLayout['entries'] = [];
  let P = 0;
  for (const v of vars) {
    offsetOf.set(v, P);
    entries.push({ offset: P, size: v.size, shape: v.shape });
    P += v.size;
  }
  const at = (v: unknown) => offsetOf.get(v) as number;
  const block = (b: Retriever['encoder'][number]): BlockOffsets => ({
    wq: at(b.wq), wk: at(b.wk), wv: at(b.wv), wo: at(b.wo), w1: at(b.w1), b1: at(b.b1), w2: at(b.w2), b2: at(b.b2),
  });
  const { items, words, dim, heads, seqLen, layers } = model.spec;
  const head = model.head.fusedLayout(at, at(model.tokenEmbedding) + (words + SPECIAL.BOS) * dim);
  const codes = head.codes;
  const layout: ArenaLayout = {
    P, items, table: items + words + 4, bosRow: items + words + SPECIAL.BOS, pad: items + words + SPECIAL.PAD,
    dim, heads, seq: seqLen, ffn: 4 * dim, layers,
    itemEmbedding: head.table, tokenEmbedding: at(model.tokenEmbedding), position: at(model.position),
    encoder: model.encoder.map(block), decoder: { ...block(model.decoder), wvSelf: at(model.decoder.wvSelf) },
    bias: head.bias, entries, codes,
  };
  // The kernels rely on these adjacencies (they hold for Retriever's variable order).
  const D2 = dim * dim;
  const contiguous = layout.tokenEmbedding === layout.itemEmbedding + head.rows * dim &&
    [...layout.encoder, layout.decoder].every((b) => b.wk === b.wq + D2 && b.wv === b.wk + D2);
  if (layout.itemEmbedding !== 0 || !contiguous) throw new Error('unexpected variable order for the fused WebGPU step');
  return layout;
}
