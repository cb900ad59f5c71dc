/**
 * Each fused kernel against the plain tfjs ops, on the current (WebGPU) backend: every
 * forward state (embedding, each attention and FFN block, the decoder, the loss), every
 * parameter's gradient against tf.variableGrads, and three Adam steps against tfjs's
 * Adam. Run by the unit tests in Node (Dawn) and by the browser tests in Chromium (the
 * worker's test hook), so the same kernels are checked on both WebGPU implementations.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../core/rng';
import type { Encoded } from '../core/encode';
import { makeStepper } from './stepper';
import { Retriever, type RetrieverSpec } from '../model/retriever';
import { FusedStep } from '../model/kernels/fused-step';
import { arenaLayout } from '../model/kernels/layout';
import { packing } from '../model/kernels/packing';
import { codePacking } from '../model/kernels/codes/packing';
import type { CodeHead } from '../model/heads/codes';
import { codeLoss, crossKeys, decodeStates } from '../model/ids/code-decoder';

export interface KernelCheck {
  /** What was compared, e.g. `forward attention1` or `gradient enc0wq`. */
  name: string;
  /** max |fused − plain| / max |plain|. */
  relError: number;
}

const B = 8, S = 6, ITEMS = 30, WORDS = 20;
const SPEC: RetrieverSpec = { items: ITEMS, words: WORDS, dim: 16, layers: 2, heads: 2, seqLen: S, tieEmbeddings: true };

/** Semantic IDs for the check's 30 items: two levels of 4 codes and a final code of 2. */
export function checkCodes(): NonNullable<RetrieverSpec['ids']> {
  const codes = new Int32Array(ITEMS * 3);
  for (let i = 0; i < ITEMS; i++) codes.set([i % 4, Math.floor(i / 4) % 4, Math.floor(i / 16)], i * 3);
  return { codes, length: 3, sizes: [4, 4, 2], perTask: false };
}
const CODE_SPEC: RetrieverSpec = { ...SPEC, ids: checkCodes() };

/** B rows of random tokens, each with some padding at the end. */
export function checkBatch(seed: number): Encoded {
  const rng = new Rng(seed, 'fused-check');
  const pad = ITEMS + WORDS;
  const tokens = new Int32Array(B * S), mask = new Float32Array(B * S), target = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    const len = 2 + rng.int(S - 1);
    for (let s = 0; s < S; s++) {
      tokens[b * S + s] = s < len ? rng.int(ITEMS + WORDS) : pad;
      mask[b * S + s] = s < len ? 1 : 0;
    }
    target[b] = rng.int(ITEMS);
  }
  return { task: 'rec', count: B, seqLen: S, tokens, mask, target };
}

function relError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let scale = 1e-6, diff = 0;
  for (let i = 0; i < want.length; i++) { scale = Math.max(scale, Math.abs(want[i])); diff = Math.max(diff, Math.abs(got[i] - want[i])); }
  return diff / scale;
}

function columns(data: Float32Array, rows: number, stride: number, offset: number, width: number): Float32Array {
  const out = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) out.set(data.subarray(r * stride + offset, r * stride + offset + width), r * width);
  return out;
}

const oneBatch = [Array.from({ length: B }, (_, row) => ({ set: 0, row }))];
const inputs = (set: Encoded) => [tf.tensor2d(set.tokens, [B, S], 'int32'), tf.tensor2d(set.mask, [B, S]), tf.tensor1d(set.target, 'int32')] as const;

/** The encoder's forward states (embedding, each attention and FFN block) against the plain ops' traced ones. */
async function encoderChecks(out: { layerInputs: tf.Tensor[]; attention: tf.Tensor[]; ffn: tf.Tensor[] }, traced: Record<string, tf.Tensor>, p: ReturnType<typeof packing>, D: number): Promise<KernelCheck[]> {
  const R = B * S;
  const checks: KernelCheck[] = [{ name: 'forward embed', relError: relError(await out.layerInputs[0].data(), await traced.embed.data()) }];
  for (let i = 0; i < out.attention.length; i++) {
    checks.push({ name: `forward attention${i}`, relError: relError(columns((await out.attention[i].data()) as Float32Array, R, p.A_STRIDE, p.A_H, D), await traced[`attention${i}`].data()) });
    checks.push({ name: `forward ffn${i}`, relError: relError(columns((await out.ffn[i].data()) as Float32Array, R, p.F_STRIDE, p.F_H, D), await traced[`ffn${i}`].data()) });
  }
  return checks;
}

async function forwardChecks(): Promise<KernelCheck[]> {
  const set = checkBatch(1);
  const model = new Retriever(SPEC, 3);
  const fused = new FusedStep(model, [set], B, 1e-3);
  fused.setSchedule(oneBatch);
  const l = arenaLayout(model), p = packing(l, B);
  const traced: Record<string, tf.Tensor> = {};
  const plainLoss = tf.tidy(() => {
    const [tk, mk, tg] = inputs(set);
    const logits = model.logits(tk, mk, undefined, (name, t) => { traced[name] = tf.keep(t); });
    return tf.losses.softmaxCrossEntropy(tf.oneHot(tg, ITEMS), logits);
  });
  const out = tf.tidy(() => {
    const f = fused.forward(fused.gather(0));
    return { ...f, loss: fused.forwardBackward(0) };
  });
  const checks = await encoderChecks(out, traced, p, l.dim);
  checks.push({ name: 'forward decoder', relError: relError(columns((await out.dec.data()) as Float32Array, B, p.E_STRIDE, p.E_Y, l.dim), await traced.decoder.data()) });
  checks.push({ name: 'forward cross-entropy loss', relError: relError(await out.loss.data(), await plainLoss.data()) });
  tf.dispose([...out.layerInputs, ...out.attention, ...out.ffn, out.dec, out.loss, plainLoss, ...Object.values(traced)]);
  fused.dispose();
  model.dispose();
  return checks;
}

async function gradientChecks(spec: RetrieverSpec): Promise<KernelCheck[]> {
  const set = checkBatch(2);
  const model = new Retriever(spec, 4);
  const fused = new FusedStep(model, [set], B, 1e-3);
  fused.setSchedule(oneBatch);
  tf.tidy(() => { fused.forwardBackward(0); });
  const g = fused.gradients();
  const got = (await g.data()) as Float32Array;
  g.dispose();
  const { value, grads } = tf.tidy(() => {
    const [tk, mk, tg] = inputs(set);
    return tf.variableGrads(() => model.loss(tk, mk, tg), model.variables());
  });
  const vars = model.variables();
  const checks: KernelCheck[] = [];
  for (const [i, e] of fused.layout.entries.entries()) {
    const name = vars[i].name.replace(/_\d+$/, '');
    checks.push({ name: `gradient ${name}`, relError: relError(got.subarray(e.offset, e.offset + e.size), await grads[vars[i].name].data()) });
  }
  tf.dispose([value, ...Object.values(grads)]);
  fused.dispose();
  model.dispose();
  return checks;
}

async function adamChecks(spec: RetrieverSpec): Promise<KernelCheck[]> {
  const set = checkBatch(3);
  const [a, b] = [new Retriever(spec, 5), new Retriever(spec, 5)];
  const stepper = makeStepper(a, [set], { batchSize: B, learningRate: 0.01 });
  if (stepper.kind !== 'fused-webgpu') throw new Error(`the fused kernels are not in use here: ${stepper.kind}`);
  stepper.beginEpoch([...oneBatch, ...oneBatch, ...oneBatch]);
  for (let i = 0; i < 3; i++) stepper.step(i).dispose();
  stepper.sync();
  stepper.dispose();
  const opt = tf.train.adam(0.01, 0.9, 0.999, 1e-7);
  for (let i = 0; i < 3; i++) tf.tidy(() => { const [tk, mk, tg] = inputs(set); opt.minimize(() => b.loss(tk, mk, tg)); });
  opt.dispose();
  const [va, vb] = [a.variables(), b.variables()];
  const checks: KernelCheck[] = [];
  for (let i = 0; i < va.length; i++) checks.push({ name: `adam ${va[i].name.replace(/_\d+$/, '')}`, relError: relError(await va[i].data(), await vb[i].data()) });
  a.dispose();
  b.dispose();
  return checks;
}

/** Runs every check on the current backend (it must be webgpu); leaves no tensors behind. */
export async function checkFusedKernels(): Promise<KernelCheck[]> {
  if (tf.getBackend() !== 'webgpu') throw new Error(`the fused kernels run on webgpu; the backend is ${tf.getBackend()}`);
  return [...(await forwardChecks()), ...(await gradientChecks(SPEC)), ...(await adamChecks(SPEC))];
}

/** The semantic-ID head's forward states: the encoder's, each position's decoder state, the loss. */
async function codeForwardChecks(): Promise<KernelCheck[]> {
  const set = checkBatch(1);
  const model = new Retriever(CODE_SPEC, 3);
  const fused = new FusedStep(model, [set], B, 1e-3);
  fused.setSchedule(oneBatch);
  const l = arenaLayout(model), p = packing(l, B), q = codePacking(l, B);
  const T = q.CT, D = l.dim;
  const traced: Record<string, tf.Tensor> = {};
  const plain = tf.tidy(() => {
    const [tk, mk, tg] = inputs(set);
    const { x, keyBias } = model.encode(tk, mk, (name, t) => { traced[name] = tf.keep(t); });
    const target = tf.gather((model.head as CodeHead).itemCodeTokens[1], tg) as tf.Tensor2D;
    const states = decodeStates(model, crossKeys(model, x), keyBias, tf.slice(target, [0, 0], [B, T - 1]), B);
    return { states, loss: codeLoss(model, tk, mk, tg) };
  });
  const out = tf.tidy(() => {
    const f = fused.forward(fused.gather(0));
    return { ...f, loss: fused.forwardBackward(0) };
  });
  const checks = await encoderChecks(out, traced, p, D);
  // Position t of example b sits at b·C_STRIDE + t·C_POS: as rows of C_POS, B·T of them with a gap after each example.
  const dec = (await out.dec.data()) as Float32Array;
  const h3 = new Float32Array(B * T * D);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) h3.set(dec.subarray(b * q.C_STRIDE + t * q.C_POS + q.C_H3, b * q.C_STRIDE + t * q.C_POS + q.C_H3 + D), (b * T + t) * D);
  checks.push({ name: 'forward code decoder', relError: relError(h3, await plain.states.data()) });
  checks.push({ name: 'forward code cross-entropy loss', relError: relError(await out.loss.data(), await plain.loss.data()) });
  tf.dispose([...out.layerInputs, ...out.attention, ...out.ffn, out.dec, out.loss, plain.states, plain.loss, ...Object.values(traced)]);
  fused.dispose();
  model.dispose();
  return checks;
}

/** The same checks for the semantic-ID head's kernels (codes.ts): forward states, every
 *  gradient, Adam; names as checkFusedKernels's. */
export async function checkFusedCodeKernels(): Promise<KernelCheck[]> {
  if (tf.getBackend() !== 'webgpu') throw new Error(`the fused kernels run on webgpu; the backend is ${tf.getBackend()}`);
  return [...(await codeForwardChecks()), ...(await gradientChecks(CODE_SPEC)), ...(await adamChecks(CODE_SPEC))];
}

/** Tolerances: float32 sums in another order; Adam divides by √v, which magnifies tiny differences. */
export function tolerance(check: KernelCheck): number {
  return /\badam\b/.test(check.name) ? 1e-3 : 1e-4;
}
