/**
 * How a fused kernel becomes a tfjs kernel. Each one is a WGSL compute shader run by
 * tfjs-webgpu's own `runWebGPUProgram` (its device, buffer pool, command encoder and
 * pipeline cache), registered under its name for the `webgpu` backend, so it shows up in
 * `tf.profile` and its outputs are ordinary tensors that `tf.tidy` owns.
 *
 * Conventions of the WGSL bodies (see embedding.ts, encoder.ts, decoder.ts, output.ts, adam.ts):
 * - 64 threads a workgroup; `wg()` is the workgroup's number, `lid()` the thread's.
 * - Shapes and parameter offsets are WGSL constants, so one pipeline is compiled per
 *   model shape (the shader key carries them).
 * - A kernel that updates the parameter arena in place binds it as its output (`result`)
 *   and reads the weights from there; every other kernel reads them from an input.
 * - Intermediate values that threads of one workgroup exchange live in the output
 *   buffer, separated by `storageBarrier()`.
 */
import * as tf from '@tensorflow/tfjs';

export const WGS = 64;

export interface FusedKernel {
  /** Registered kernel name, e.g. `BridgeAttentionBlock`. */
  name: string;
  /** WGSL names of the input buffers, in binding order. */
  inputs: string[];
  /** Constants baked into the shader (shapes, offsets, strides). */
  constants: Record<string, number>;
  /** WGSL: helper functions and `fn main(index: i32)`. */
  body: string;
  workgroups: number;
  /** Output length (ignored for in-place kernels, whose output is the arena). */
  outputSize: number;
  dtype: 'float32' | 'int32';
  inPlace: boolean;
  /** Extra uniform fields, e.g. `step : i32,`. */
  uniforms?: string;
}

type Uniform = { type: 'int32' | 'float32'; data: number[] };

interface WebGpuBackendLike {
  runWebGPUProgram(program: unknown, inputs: tf.TensorInfo[], dtype: string, uniforms?: Uniform[], output?: tf.TensorInfo): tf.TensorInfo;
  incRef(dataId: unknown): void;
  commandEncoder: unknown;
  endComputePassEncoder(): void;
  submitQueue(): void;
}

const FLOAT_CONSTANTS = new Set(['SCALE', 'EPS']);

function header(k: FusedKernel): string {
  const lines = Object.entries(k.constants).map(([name, v]) =>
    FLOAT_CONSTANTS.has(name) ? `const ${name}: f32 = ${v.toPrecision(9)};` : `const ${name}: i32 = ${v};`);
  return `${lines.join('\n')}
const WGS: i32 = ${WGS};
fn wg() -> i32 { return i32(workgroupId.x + workgroupId.y * numWorkgroups.x + workgroupId.z * numWorkgroups.x * numWorkgroups.y); }
// Reads the uniforms once so that the pipeline's automatic layout keeps tfjs's uniform binding.
fn lid() -> i32 { return i32(localId.x) + 0 * uniforms.outShape; }
`;
}

/** A fresh program object per run: tfjs appends to `shaderKey` and may reshape `dispatch`. */
function program(k: FusedKernel, outputShape: number[]) {
  const key = `${k.name}:${Object.values(k.constants).join(',')}`;
  return {
    variableNames: k.inputs,
    outputShape,
    shaderKey: key,
    dispatchLayout: { x: outputShape.map((_, i) => i) },
    dispatch: [k.workgroups, 1, 1],
    workgroupSize: [WGS, 1, 1],
    uniforms: k.uniforms,
    getUserCode: () => header(k) + k.body,
  };
}

const registered = new Set<string>();

function ensureRegistered(name: string): void {
  if (registered.has(name)) return;
  registered.add(name);
  tf.registerKernel({
    kernelName: name,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const k = (attrs as unknown as { kernel: FusedKernel }).kernel;
      const uniforms = (attrs as unknown as { uniforms?: Uniform[] }).uniforms;
      const gpu = backend as unknown as WebGpuBackendLike;
      const ins = k.inputs.map((n) => inputs[n] as tf.TensorInfo);
      const arena = k.inPlace ? (inputs.arena as tf.TensorInfo) : undefined;
      const outShape = arena ? arena.shape : [k.outputSize];
      const out = gpu.runWebGPUProgram(program(k, outShape), ins, k.dtype, uniforms, arena);
      // In place: hand back the arena itself, as tfjs's Identity does.
      if (arena) gpu.incRef(arena.dataId);
      return out;
    },
  });
}

/** Runs a fused kernel on the current (webgpu) backend. */
export function runKernel(k: FusedKernel, inputs: tf.Tensor[], opts: { arena?: tf.Tensor; uniforms?: Uniform[] } = {}): tf.Tensor {
  if (inputs.length !== k.inputs.length) throw new Error(`${k.name} takes ${k.inputs.length} inputs, got ${inputs.length}`);
  if (k.inPlace !== Boolean(opts.arena)) throw new Error(`${k.name}: the arena is ${k.inPlace ? 'required' : 'not an input'}`);
  ensureRegistered(k.name);
  const named: Record<string, tf.Tensor> = {};
  k.inputs.forEach((n, i) => { named[n] = inputs[i]; });
  if (opts.arena) named.arena = opts.arena;
  return tf.engine().runKernel(k.name, named, { kernel: k, uniforms: opts.uniforms } as never) as tf.Tensor;
}

/** Sends the commands recorded so far to the GPU in one queue submit. */
export function submit(): void {
  const gpu = tf.backend() as unknown as WebGpuBackendLike;
  if (!gpu.commandEncoder) return;
  gpu.endComputePassEncoder();
  gpu.submitQueue();
}

/** Workgroups needed for `threads` threads, one per element. */
export function groupsFor(threads: number): number {
  return Math.max(1, Math.ceil(threads / WGS));
}
