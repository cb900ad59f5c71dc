/**
 * The built-in ID heads, chosen by the spec: semantic-ID codes (`ids`), or atomic IDs. A head the caller brings (`spec.head`) takes
 * their place (retriever.ts). The atomic head's item table is drawn before the shared body,
 * the rest of every head after it: that draw order is the model's, so a seed gives the same model.
 */
import type * as tf from '@tensorflow/tfjs';
import type { HeadContext, IdHead, RetrieverSpec } from '../parts';
import { AtomicHead } from './atomic';
import { CodeHead } from './codes';

/** What the spec's built-in head draws before the shared body: the atomic item table, or nothing. */
export function drawnBeforeBody(spec: RetrieverSpec, normal: HeadContext['normal']): tf.Variable | null {
  return spec.ids ? null : normal([spec.items, spec.dim], 0.05, 'items');
}

/** The spec's built-in head, from the shared body's context and what it drew before the body. */
export function builtInHead({ spec, normal, zeros }: HeadContext, before: tf.Variable | null): IdHead {
  if (spec.ids) return new CodeHead(spec, spec.ids, normal, zeros);
  return new AtomicHead(spec, before!, normal, zeros);
}
