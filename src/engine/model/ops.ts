/**
 * Building blocks with gradients that suit every tfjs backend (measured traps, docs/models.md):
 * - `embed`: a row lookup whose gradient is a scatter-add (ScatterNd sums duplicate
 *   rows) instead of tfjs's UnsortedSegmentSum, which wasm lacks and cpu runs slowly.
 * - `dense`: a matMul whose gradient transposes explicitly, so that on wasm every
 *   product takes XNNPACK's fast path (plain 2-D, no transpose flags).
 */
import * as tf from '@tensorflow/tfjs';

/** Whether matMul gradients should transpose explicitly (true on wasm and cpu). */
let explicitTranspose = true;
export function useExplicitTranspose(on: boolean): void {
  explicitTranspose = on;
}

const denseExplicit = tf.customGrad(((x: tf.Tensor, w: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x as tf.Tensor, w as tf.Tensor]);
  return {
    value: tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy as tf.Tensor2D, tf.transpose(ws)), tf.matMul(tf.transpose(xs), dy as tf.Tensor2D)];
    },
  };
}) as never) as unknown as (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D;

/** x [n, a] · w [a, b] → [n, b]. */
export function dense(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  return explicitTranspose ? denseExplicit(x, w) : tf.matMul(x, w);
}

const embedScatter = tf.customGrad(((table: tf.Tensor, indices: tf.Tensor, save: tf.GradSaveFunc) => {
  save([indices as tf.Tensor]);
  const t = table as tf.Tensor2D;
  return {
    value: tf.gather(t, indices as tf.Tensor1D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [idx] = saved as [tf.Tensor1D];
      const grad = tf.scatterND(tf.reshape(idx, [-1, 1]), dy as tf.Tensor2D, t.shape);
      return [grad, tf.zerosLike(idx)];
    },
  };
}) as never) as unknown as (table: tf.Tensor2D, indices: tf.Tensor1D) => tf.Tensor2D;

/** Rows of `table` at `indices` (int32, 1-D) → [indices.length, dim]. */
export function embed(table: tf.Tensor2D, indices: tf.Tensor1D): tf.Tensor2D {
  return embedScatter(table, indices);
}

/**
 * Layer normalisation over the last axis, without learned scale (as the reference), with
 * its gradient written out: for y = (x − μ)·r, r = 1/√(σ² + ε),
 *   dx = r · (dy − mean(dy) − y · mean(dy · y)),
 * seven ops where tfjs's autodiff of the forward ops takes about twenty.
 */
const layerNormGrad = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  const mean = tf.mean(x, -1, true);
  const centred = tf.sub(x, mean);
  const r = tf.rsqrt(tf.add(tf.mean(tf.square(centred), -1, true), LN_EPS));
  const y = tf.mul(centred, r);
  save([y, r]);
  return {
    value: y,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [ys, rs] = saved;
      return tf.mul(rs, tf.sub(tf.sub(dy, tf.mean(dy, -1, true)), tf.mul(ys, tf.mean(tf.mul(dy, ys), -1, true))));
    },
  };
}) as never) as unknown as (x: tf.Tensor) => tf.Tensor;
const LN_EPS = 1e-5;

/** Layer normalisation over the last axis, without learned scale (as the reference). */
export function layerNorm<T extends tf.Tensor>(x: T): T {
  return layerNormGrad(x) as T;
}
