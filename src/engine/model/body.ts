/**
 * The shared body of every model: the word and special-token table, the positions, the
 * encoder and the one-step decoder block, drawn from a seed in a fixed order. The
 * generative retriever (retriever.ts) puts an ID head on it; the bi-encoder
 * (bi-encoder.ts) reads its encoder alone. Both draw the same body from the same seed.
 *
 *   encoder = `layers` × (multi-head self-attention → FFN), post-layer-norm
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../core/rng';
import { dense, layerNorm } from './ops';

/** One encoder (or decoder) block's weights. */
export interface EncoderLayer {
  wq: tf.Variable; wk: tf.Variable; wv: tf.Variable; wo: tf.Variable;
  w1: tf.Variable; b1: tf.Variable; w2: tf.Variable; b2: tf.Variable;
}

/** What the body's shape is read from. */
export interface BodySpec {
  items: number;
  words: number;
  dim: number;
  layers: number;
  heads: number;
  /** Input length including the task token (if any). */
  seqLen: number;
}

/** A model's seeded draws: normal weights and zeros, in the order they are asked for. */
export interface Draws {
  normal: (shape: number[], scale: number, name: string) => tf.Variable;
  zeros: (shape: number[], name: string) => tf.Variable;
}

/** Special tokens live after the words in the non-item table. */
export const SPECIALS = 4;

/** The draws of the model seeded with `seed` (its weights stream). */
export function seededDraws(seed: number): Draws {
  const rng = Rng.derive(seed, 'weights');
  return {
    normal: (shape, scale, name) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const v = new Float32Array(n);
      for (let i = 0; i < n; i++) v[i] = rng.normal() * scale;
      return tf.tidy(() => tf.variable(tf.tensor(v, shape), true, `${name}_${uid()}`));
    },
    zeros: (shape, name) => tf.tidy(() => tf.variable(tf.zeros(shape), true, `${name}_${uid()}`)),
  };
}

export class Body {
  /** Word and special-token embeddings [words + 4, dim]. */
  readonly tokenEmbedding: tf.Variable;
  readonly position: tf.Variable;
  readonly encoder: EncoderLayer[];
  readonly decoder: EncoderLayer & { wvSelf: tf.Variable };

  constructor(private readonly spec: BodySpec, { normal, zeros }: Draws) {
    const D = spec.dim;
    const block = (p: string): EncoderLayer => ({
      wq: normal([D, D], D ** -0.5, `${p}wq`), wk: normal([D, D], D ** -0.5, `${p}wk`),
      wv: normal([D, D], D ** -0.5, `${p}wv`), wo: normal([D, D], D ** -0.5, `${p}wo`),
      w1: normal([D, 4 * D], D ** -0.5, `${p}w1`), b1: zeros([4 * D], `${p}b1`),
      w2: normal([4 * D, D], (4 * D) ** -0.5, `${p}w2`), b2: zeros([D], `${p}b2`),
    });
    this.tokenEmbedding = normal([spec.words + SPECIALS, D], 0.05, 'tokens');
    this.position = normal([spec.seqLen, D], 0.05, 'pos');
    this.encoder = Array.from({ length: spec.layers }, (_, l) => block(`enc${l}`));
    this.decoder = { ...block('dec'), wvSelf: normal([D, D], D ** -0.5, 'decwvself') };
  }

  /** The token and position tables and the encoder's weights, in a fixed order. */
  encoderVariables(): tf.Variable[] {
    return [this.tokenEmbedding, this.position, ...this.encoder.flatMap(blockVariables)];
  }

  decoderVariables(): tf.Variable[] {
    return [...blockVariables(this.decoder), this.decoder.wvSelf];
  }

  /**
   * The encoder over input rows [B·S, dim] (each token's embedding, as the model reads it)
   * with a padding mask [B, S] (1 = real token): states [B, S, dim] and the additive key
   * mask [B, 1, 1, S].
   */
  encodeRows(rows: tf.Tensor2D, mask: tf.Tensor2D, trace?: (name: string, t: tf.Tensor) => void): { x: tf.Tensor3D; keyBias: tf.Tensor4D } {
    const [B, S] = mask.shape;
    const { dim: D, heads: H } = this.spec;
    const dh = D / H;
    let x = tf.add(tf.reshape(rows, [B, S, D]), this.position) as tf.Tensor3D;
    trace?.('embed', x);
    // Additive attention mask: 0 for real keys, −1e9 for padding.
    const keyBias = tf.reshape(tf.mul(tf.sub(1, mask), -1e9), [B, 1, 1, S]) as tf.Tensor4D;
    const split = (t: tf.Tensor2D) => tf.transpose(tf.reshape(t, [B, S, H, dh]), [0, 2, 1, 3]) as tf.Tensor4D;

    for (const [l, L] of this.encoder.entries()) {
      const flat = tf.reshape(x, [B * S, D]) as tf.Tensor2D;
      const q = split(dense(flat, L.wq as tf.Tensor2D));
      const k = split(dense(flat, L.wk as tf.Tensor2D));
      const v = split(dense(flat, L.wv as tf.Tensor2D));
      const att = tf.softmax(tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dh)), keyBias));
      const ctx = tf.reshape(tf.transpose(tf.matMul(att, v), [0, 2, 1, 3]), [B * S, D]) as tf.Tensor2D;
      let h = layerNorm(tf.add(flat, dense(ctx, L.wo as tf.Tensor2D))) as tf.Tensor2D;
      trace?.(`attention${l}`, h);
      h = layerNorm(tf.add(h, this.ffn(h, L))) as tf.Tensor2D;
      trace?.(`ffn${l}`, h);
      x = tf.reshape(h, [B, S, D]);
    }
    return { x, keyBias };
  }

  ffn(h: tf.Tensor2D, L: EncoderLayer): tf.Tensor2D {
    return tf.add(dense(tf.relu(tf.add(dense(h, L.w1 as tf.Tensor2D), L.b1)) as tf.Tensor2D, L.w2 as tf.Tensor2D), L.b2);
  }
}

function blockVariables(b: EncoderLayer): tf.Variable[] {
  return [b.wq, b.wk, b.wv, b.wo, b.w1, b.b1, b.w2, b.b2];
}

let counter = 0;
function uid(): number {
  return ++counter;
}
