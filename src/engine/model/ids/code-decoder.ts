/**
 * The decoder for semantic IDs: it generates an item's `length` codes one after another.
 *
 *   decoder input  = [start token, code_1, …, code_{t}] + decoder positions
 *   self-attention = causal, over the codes so far (query/key maps of their own; value and
 *                    output maps as the atomic decoder's one-step self-attention)
 *   cross-attention, FFN: as the atomic decoder, post-layer-norm
 *   code logits    = state · codeTable[token] + bias[token], over the tokens of the
 *                    position (each position has its own codebook)
 *
 * Training is teacher forcing: all positions at once, the loss of an example is
 * −log P(its item's codes) = the sum of the positions' cross-entropies, so it reads as the
 * atomic model's item negative log-likelihood. Inference scores one position for a batch
 * of hypotheses (CodeGenerator), for beam search over the trie (beam.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { dense, embed, layerNorm } from '../ops';
import { SPECIAL } from '../../core/encode';
import type { CodeHeadParts, HeadedModel, SemanticIdSpec } from '../parts';
import type { CodeScorer } from './beam';
import type { IdTrie } from './trie';

/** Code tokens: position t's code c is token offsets[t] + c, plus `perSet` for the rec task with per-task tokens. */
export function codeVocabulary(ids: SemanticIdSpec): { offsets: number[]; perSet: number; total: number } {
  const offsets: number[] = [];
  let perSet = 0;
  for (const s of ids.sizes) { offsets.push(perSet); perSet += s; }
  return { offsets, perSet, total: perSet * (ids.perTask ? 2 : 1) };
}

/** The model's semantic-ID head (a model with atomic IDs has none). */
export function codes(m: HeadedModel): CodeHeadParts {
  const head = m.head as Partial<CodeHeadParts>;
  if (!head.codeEmbedding || !head.ids) throw new Error('this model has no code decoder: its head does not generate semantic IDs');
  return head as CodeHeadParts;
}

function outputTable(m: HeadedModel): tf.Tensor2D {
  return (codes(m).codeOutput ?? codes(m).codeEmbedding) as tf.Tensor2D;
}

/** The encoder states' cross-attention keys and values, by head: [R, heads, seqLen, dim / heads] each. */
export function crossKeys(m: HeadedModel, x: tf.Tensor3D): { k: tf.Tensor4D; v: tf.Tensor4D } {
  const [R, S, D] = x.shape;
  const H = m.spec.heads, dh = D / H;
  const flat = tf.reshape(x, [R * S, D]) as tf.Tensor2D;
  const heads = (t: tf.Tensor2D) => tf.transpose(tf.reshape(t, [R, S, H, dh]), [0, 2, 1, 3]) as tf.Tensor4D;
  return { k: heads(dense(flat, m.decoder.wk as tf.Tensor2D)), v: heads(dense(flat, m.decoder.wv as tf.Tensor2D)) };
}

/**
 * Decoder states [R, P, dim] for P = prefix length + 1 positions: `prefix` holds code
 * tokens [R, P − 1] (P − 1 may be 0); `cross` the encoder's keys and values and `keyBias`
 * its key mask for G inputs, where the R hypotheses are G groups of R / G consecutive
 * ones, each group decoding for one input (G = R in training). Broadcasting over the
 * groups spares a gather of the encoder's keys per hypothesis. With `lastOnly`, only the
 * last position's state is computed and returned ([R, 1, dim]).
 */
export function decodeStates(m: HeadedModel, cross: { k: tf.Tensor4D; v: tf.Tensor4D }, keyBias: tf.Tensor4D, prefix: tf.Tensor2D | null, R: number, lastOnly = false): tf.Tensor3D {
  const Q = lastOnly ? 1 : (prefix?.shape[1] ?? 0) + 1;
  return crossStates(m, selfStates(m, prefix, R, lastOnly), cross, keyBias, R, Q);
}

/**
 * Attention as broadcast products and sums over [groups, rows, heads, keys, dh]: with a
 * few positions and keys this beats batched matMuls with their transposes on wasm.
 * `q` [groups · rows, dim]; `k`, `v` [groups, 1, heads, keys, dh]; `bias` broadcasts to
 * [groups, rows, heads, keys].
 */
export function attend(q: tf.Tensor2D, k: tf.Tensor, v: tf.Tensor, bias: tf.Tensor, groups: number, rows: number, heads: number, keys: number): tf.Tensor2D {
  const D = q.shape[1], dh = D / heads;
  return tf.reshape(attendGrad(tf.reshape(q, [groups, rows, heads, 1, dh]), k, v, bias), [groups * rows, D]) as tf.Tensor2D;
}

/**
 * The attention of `attend` on q [G, rows, H, 1, dh] → context [G, rows, H, dh], with its
 * gradient written out. The ops are the ones tfjs's autodiff of the forward ops runs,
 * in the same order (the same numbers, bit for bit), less its broadcasts through arrays
 * of ones and their reshapes: about half the kernels of a training step's two attentions.
 */
const attendGrad = tf.customGrad(((q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, bias: tf.Tensor, save: tf.GradSaveFunc) => {
  const [G, rows, H, , dh] = q.shape;
  const [, , , keys] = k.shape;
  const scale = 1 / Math.sqrt(dh);
  const att = tf.softmax(tf.add(tf.mul(tf.sum(tf.mul(q, k), -1), scale), bias)); // [G, rows, H, keys]
  const att5 = tf.reshape(att, [G, rows, H, keys, 1]);
  save([q, k, v, att, att5]);
  return {
    value: sumMiddle(tf.mul(att5, v), 3),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [qs, ks, vs, a, a5] = saved;
      const dy5 = tf.reshape(dy, [G, rows, H, 1, dh]);
      const dv = sumMiddle(tf.mul(dy5, a5), 1, true);
      const dAtt = tf.sum(tf.mul(dy5, vs), 4); // [G, rows, H, keys]
      const dyTimesY = tf.mul(dAtt, a); // the softmax's gradient, as tfjs writes it
      const dScores = tf.mul(tf.sub(dyTimesY, tf.mul(tf.sum(dyTimesY, [-1], true), a)), scale);
      const dS5 = tf.reshape(dScores, [G, rows, H, keys, 1]);
      return [sumMiddle(tf.mul(dS5, ks), 3, true), sumMiddle(tf.mul(dS5, qs), 1, true), dv, tf.zerosLike(bias)];
    },
  };
}) as never) as unknown as (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, bias: tf.Tensor) => tf.Tensor;

/**
 * `tf.sum(x, axis, keepDims)` over an axis that is not the last, on x seen as
 * [before, axis, after]: the same sums in the same order (the same numbers), but wasm
 * reduces a 3-D tensor's middle axis 2–3× faster than a 5-D tensor's.
 */
function sumMiddle(x: tf.Tensor, axis: number, keepDims = false): tf.Tensor {
  const before = x.shape.slice(0, axis).reduce((a, b) => a * b, 1), after = x.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const shape = keepDims ? x.shape.map((n, i) => (i === axis ? 1 : n)) : x.shape.filter((_, i) => i !== axis);
  return tf.reshape(tf.sum(tf.reshape(x, [before, x.shape[axis], after]), 1), shape);
}

/**
 * The decoder's first half: inputs, causal self-attention over the start token and the
 * codes so far, residual and norm → [R · Q, dim] (Q = P, or 1 with `lastOnly`). It reads
 * the code prefix alone, not the encoder: hypotheses that share a prefix share it.
 * With `lastOnly`, only the last position is computed past the self-attention's keys and
 * values: with one decoder layer those depend on the input tokens alone, so the next
 * code's scores need no state of earlier positions (no cache to keep).
 */
function selfStates(m: HeadedModel, prefix: tf.Tensor2D | null, R: number, lastOnly: boolean): tf.Tensor2D {
  const H = m.spec.heads, D = m.spec.dim, dh = D / H;
  const P = (prefix?.shape[1] ?? 0) + 1;
  // Decoder input: the start token, then the prefix codes (one lookup in [codes; start]).
  const table = tf.concat([codes(m).codeEmbedding, tf.slice(m.tokenEmbedding, [m.spec.words + SPECIAL.BOS, 0], [1, D])], 0) as tf.Tensor2D;
  const start = tf.fill([R, 1], table.shape[0] - 1, 'int32');
  const ids = prefix && P > 1 ? tf.concat([start, prefix], 1) : start;
  const input = R * P <= 4 * table.shape[0]
    ? embed(table, tf.reshape(ids, [-1]))
    : dense(tf.oneHot(tf.reshape(ids, [-1]) as tf.Tensor1D, table.shape[0]) as tf.Tensor2D, table); // a large batch: a product beats wasm's gather
  const y = tf.reshape(tf.add(tf.reshape(input, [R, P, D]), tf.slice(codes(m).decoderPosition, [0, 0], [P, D])), [R * P, D]) as tf.Tensor2D;
  const Q = lastOnly ? 1 : P;
  const byKey = (t: tf.Tensor2D) => tf.reshape(tf.transpose(tf.reshape(t, [R, P, H, dh]), [0, 2, 1, 3]), [R, 1, H, P, dh]);
  const sk = byKey(dense(y, codes(m).selfAttention.wk as tf.Tensor2D)), sv = byKey(dense(y, m.decoder.wvSelf as tf.Tensor2D));
  const yq = lastOnly ? tf.reshape(tf.slice(tf.reshape(y, [R, P, D]), [0, P - 1, 0], [R, 1, D]), [R, D]) as tf.Tensor2D : y;
  const mask = lastOnly ? tf.zeros([1, 1, 1, P]) : tf.tensor4d(causalMask(P), [1, P, 1, P]);
  const selfCtx = attend(dense(yq, codes(m).selfAttention.wq as tf.Tensor2D), sk, sv, mask, R, Q, H, P);
  return layerNorm(tf.add(yq, dense(selfCtx, m.decoder.wo as tf.Tensor2D))) as tf.Tensor2D;
}

/** The decoder's second half, from the self-attention's states h [R · Q, dim]:
 *  cross-attention to the encoder, FFN, each with residual and norm → [R, Q, dim]. */
function crossStates(m: HeadedModel, h: tf.Tensor2D, cross: { k: tf.Tensor4D; v: tf.Tensor4D }, keyBias: tf.Tensor4D, R: number, Q: number): tf.Tensor3D {
  const [G, H, S, dh] = cross.k.shape;
  const dec = m.decoder;
  const crossCtx = attend(dense(h, dec.wq as tf.Tensor2D), tf.reshape(cross.k, [G, 1, H, S, dh]), tf.reshape(cross.v, [G, 1, H, S, dh]), tf.reshape(keyBias, [G, 1, 1, S]), G, (R / G) * Q, H, S);
  let out = layerNorm(tf.add(h, dense(crossCtx, dec.wo as tf.Tensor2D))) as tf.Tensor2D;
  out = layerNorm(tf.add(out, m.ffn(out, dec))) as tf.Tensor2D;
  return tf.reshape(out, [R, Q, H * dh]) as tf.Tensor3D;
}

/** −1e9 where position i would attend to a later position j (P × P, row-major). */
function causalMask(P: number): Float32Array {
  const m = new Float32Array(P * P);
  for (let i = 0; i < P; i++) for (let j = i + 1; j < P; j++) m[i * P + j] = -1e9;
  return m;
}

/** Each row's item code tokens [B, length], for its task's token set. */
function targetTokens(m: HeadedModel, targets: tf.Tensor1D, task?: tf.Tensor1D): tf.Tensor2D {
  const [search, rec] = codes(m).itemCodeTokens;
  const recTokens = tf.gather(rec, targets);
  if (!codes(m).ids.perTask || !task) return recTokens as tf.Tensor2D;
  const isRec = tf.reshape(tf.equal(task, 1), [-1, 1]);
  return tf.where(tf.broadcastTo(isRec, recTokens.shape), recTokens, tf.gather(search, targets)) as tf.Tensor2D;
}

/**
 * Additive mask [sets, length, tokens]: 0 on the tokens of position t for task set s,
 * −1e9 elsewhere; one set unless the tasks have their own tokens. The model makes it once.
 */
export function positionMask(ids: SemanticIdSpec): tf.Tensor3D {
  const V = codeVocabulary(ids);
  const T = ids.length, sets = ids.perTask ? 2 : 1;
  const mask = new Float32Array(sets * T * V.total).fill(-1e9);
  for (let s = 0; s < sets; s++) {
    for (let t = 0; t < T; t++) for (let c = 0; c < ids.sizes[t]; c++) mask[(s * T + t) * V.total + s * V.perSet + V.offsets[t] + c] = 0;
  }
  return tf.tensor3d(mask, [sets, T, V.total]);
}

function outputBias(m: HeadedModel, task: tf.Tensor1D | undefined, rows: number): tf.Tensor {
  if (codes(m).outputBias.rank === 1) return codes(m).outputBias;
  if (!task) throw new Error('a model with a per-task output bias needs each row\'s task');
  return tf.reshape(embed(codes(m).outputBias as tf.Tensor2D, task), [rows, 1, -1]);
}

/**
 * Teacher-forced code logits [B, length, code tokens] (tokens outside each position's
 * codebook at −1e9) and each row's target code tokens [B, length].
 */
export function codeLogits(m: HeadedModel, tokens: tf.Tensor2D, mask: tf.Tensor2D, targets: tf.Tensor1D, task?: tf.Tensor1D): { logits: tf.Tensor3D; target: tf.Tensor2D } {
  const ids = codes(m).ids;
  const B = tokens.shape[0], T = ids.length, D = m.spec.dim;
  const V = codeVocabulary(ids);
  const { x, keyBias } = m.encode(tokens, mask);
  const target = targetTokens(m, targets, task);
  const prefix = T > 1 ? (tf.slice(target, [0, 0], [B, T - 1]) as tf.Tensor2D) : null;
  const h = decodeStates(m, crossKeys(m, x), keyBias, prefix, B);
  let logits = tf.reshape(dense(tf.reshape(h, [B * T, D]) as tf.Tensor2D, tf.transpose(outputTable(m))), [B, T, V.total]);
  logits = tf.add(logits, outputBias(m, task, B));
  const allowed = codes(m).codePositionMask;
  return { logits: tf.add(logits, ids.perTask ? tf.gather(allowed, task ?? tf.fill([B], 1, 'int32')) : allowed) as tf.Tensor3D, target };
}

/** Mean over the batch of −log P(target item's codes), teacher forced. */
export function codeLoss(m: HeadedModel, tokens: tf.Tensor2D, mask: tf.Tensor2D, targets: tf.Tensor1D, task?: tf.Tensor1D): tf.Scalar {
  const { logits, target } = codeLogits(m, tokens, mask, targets, task);
  const logp = tf.logSoftmax(logits);
  return tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(target, logits.shape[2]), logp), [1, 2]))) as tf.Scalar;
}

/**
 * What every batch of one evaluation pass shares (the weights do not change during it),
 * per code position t, made on first use: the decoder's self-attention half for every
 * trie node at depth t with a choice (it reads the code prefix, not the input), and
 * position t's output codebook, transposed, and bias. Beam search then decodes no prefix
 * twice in a pass, and each batch's level runs only the input-dependent half.
 */
export class DecoderLevels {
  private readonly levels: ({ states: tf.Tensor2D; table: tf.Tensor2D; bias: tf.Tensor } | undefined)[] = [];
  private readonly set: number;

  constructor(readonly model: HeadedModel, private readonly trie: IdTrie, readonly task: 0 | 1) {
    this.set = codes(model).ids.perTask ? task : 0;
  }

  /** The row of `node` in its level's states (a node with a choice of next code). */
  row(node: number): number {
    const r = this.trie.choiceIndex(node);
    if (r < 0) throw new Error(`trie node ${node} has no choice of next code: nothing to decode`);
    return r;
  }

  level(t: number): { states: tf.Tensor2D; table: tf.Tensor2D; bias: tf.Tensor } {
    const made = this.levels[t];
    if (made) return made;
    const m = this.model, ids = codes(m).ids, V = codeVocabulary(ids);
    const nodes = this.trie.choosingAt(t);
    const tokens = new Int32Array(nodes.length * t);
    nodes.forEach((v, j) => {
      this.trie.writePrefix(v, tokens, j * t);
      for (let p = 0; p < t; p++) tokens[j * t + p] += V.offsets[p] + this.set * V.perSet;
    });
    const first = V.offsets[t] + this.set * V.perSet, size = ids.sizes[t];
    const level = tf.tidy(() => ({
      states: selfStates(m, t ? tf.tensor2d(tokens, [nodes.length, t], 'int32') : null, Math.max(1, nodes.length), true),
      table: tf.transpose(tf.slice(outputTable(m), [first, 0], [size, m.spec.dim])) as tf.Tensor2D,
      bias: codes(m).outputBias.rank === 1 ? tf.slice(codes(m).outputBias, [first], [size]) : tf.slice(codes(m).outputBias, [this.task, first], [1, size]),
    }));
    this.levels[t] = level;
    return level;
  }

  dispose(): void {
    this.levels.forEach((l) => l && tf.dispose([l.states, l.table, l.bias]));
    this.levels.length = 0;
  }
}

/**
 * Scores codes for beam search over one batch of inputs: the encoder runs once (kept
 * until dispose), then each call decodes a batch of hypotheses (rows of this batch and
 * the trie nodes of their code prefixes) and returns the logits of position t's codes.
 */
export class CodeGenerator {
  private readonly k: tf.Tensor4D;
  private readonly v: tf.Tensor4D;
  private readonly keyBias: tf.Tensor4D;

  constructor(private readonly levels: DecoderLevels, tokens: tf.Tensor2D, mask: tf.Tensor2D) {
    const m = levels.model;
    const out = tf.tidy(() => {
      const { x, keyBias } = m.encode(tokens, mask);
      return { ...crossKeys(m, x), keyBias };
    });
    this.k = out.k;
    this.v = out.v;
    this.keyBias = out.keyBias;
  }

  readonly score: CodeScorer = async (rows, _prefixes, t, nodes) => {
    const m = this.levels.model, D = m.spec.dim;
    const size = codes(m).ids.sizes[t];
    const level = this.levels.level(t), U = level.states.shape[0];
    // Hypotheses on a grid: G inputs × M slots (M = most hypotheses of one input), each
    // slot the row of its prefix in the level's states (empty slots take row 0).
    const G = rows.length ? rows[rows.length - 1] + 1 : 0;
    const count = new Int32Array(G), slot = new Int32Array(rows.length);
    rows.forEach((r, j) => { if (j && r < rows[j - 1]) throw new Error('hypotheses must come grouped by input'); slot[j] = count[r]++; });
    const M = Math.max(1, ...count);
    const slotRow = new Int32Array(G * M);
    for (let j = 0; j < rows.length; j++) slotRow[rows[j] * M + slot[j]] = this.levels.row(nodes[j]);
    // Every input with every prefix of the level in order (popularity calibration's
    // expansion): the spread is a tile.
    let tiled = U === M;
    for (let i = 0; tiled && i < G * M; i++) tiled = slotRow[i] === i % M;
    const logits = tf.tidy(() => {
      const whole = G === this.k.shape[0]; // the whole batch: no copy of its keys
      const cross = whole ? { k: this.k, v: this.v } : { k: tf.slice(this.k, 0, G) as tf.Tensor4D, v: tf.slice(this.v, 0, G) as tf.Tensor4D };
      const h = level.states;
      const spread = U === 1 || tiled ? tf.concat(Array.from({ length: G * M / U }, () => h)) as tf.Tensor2D // a tile (wasm's Tile is 50× slower)
        : G * M <= 4 * U ? tf.gather(h, tf.tensor1d(slotRow, 'int32')) as tf.Tensor2D
        : dense(tf.oneHot(tf.tensor1d(slotRow, 'int32'), U) as tf.Tensor2D, h); // many slots: a product beats wasm's gather
      const last = tf.reshape(crossStates(m, spread, cross, whole ? this.keyBias : tf.slice(this.keyBias, 0, G) as tf.Tensor4D, G * M, 1), [G * M, D]) as tf.Tensor2D;
      return tf.add(dense(last, level.table), level.bias);
    });
    const grid = (await logits.data()) as Float32Array;
    logits.dispose();
    const out = new Float32Array(rows.length * size);
    for (let j = 0; j < rows.length; j++) out.set(grid.subarray((rows[j] * M + slot[j]) * size, (rows[j] * M + slot[j] + 1) * size), j * size);
    return out;
  };

  dispose(): void {
    this.k.dispose();
    this.v.dispose();
    this.keyBias.dispose();
  }
}
