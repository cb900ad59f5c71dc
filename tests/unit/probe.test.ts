import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { plannedSteps, stepShapeKey, timeTrainingSteps } from '../../src/engine/run/probe';
import { buildDataset } from '../../src/engine/sim/examples';
import { buildWorld } from '../../src/engine/sim/world';
import { tinyConfig, useWasm } from './helpers';

beforeAll(useWasm);

describe('measuring a world before training it', () => {
  it('counts the steps a run trains: epochs × ceil(examples / batch) per model, and the bi-encoder\'s', () => {
    const cfg = tinyConfig({ epochs: 3, batchSize: 64 });
    const d = buildDataset(buildWorld(cfg), cfg);
    const [s, r] = [d.searchTrain.count, d.recTrain.count];
    const p = plannedSteps(cfg);
    expect(p.search).toBe(3 * Math.ceil(s / 64));
    expect(p.rec).toBe(3 * Math.ceil(r / 64));
    expect(p.joint).toBe(3 * Math.ceil((s + r) / 64));
    // The bi-encoder reference trains on both tasks, as the joint model does.
    expect(p.references).toBe(p.joint);
    expect(p.total).toBe(p.search + p.rec + p.joint + p.references);
  });

  it('times training steps on the current backend and leaves no tensors behind', async () => {
    const before = tf.memory().numTensors;
    const t = await timeTrainingSteps(tinyConfig(), { budgetMs: 50, minSteps: 3, maxSteps: 8 });
    expect(t.steps).toBeGreaterThanOrEqual(3);
    expect(t.steps).toBeLessThanOrEqual(8);
    expect(t.msPerStep).toBeGreaterThan(0);
    expect(t.stepper).toBe('plain (backend wasm)');
    expect(tf.memory().numTensors).toBe(before);
    // The bi-encoder's steps, timed apart (they never take the fused kernels).
    const b = await timeTrainingSteps(tinyConfig(), { budgetMs: 50, minSteps: 3, maxSteps: 8, towers: true });
    expect(b.steps).toBeGreaterThanOrEqual(3);
    expect(b.msPerStep).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("keys the cache by what sets a step's cost, not by seed or data size", () => {
    const a = stepShapeKey(tinyConfig());
    expect(stepShapeKey(tinyConfig({ seed: 9, searchTrain: 900 }))).toBe(a);
    expect(stepShapeKey(tinyConfig({ dim: 32 }))).not.toBe(a);
    expect(stepShapeKey(tinyConfig({ batchSize: 32 }))).not.toBe(a);
    const semantic = stepShapeKey(tinyConfig({ idScheme: 'semantic' }));
    expect(semantic).not.toBe(a);
    expect(stepShapeKey(tinyConfig({ idScheme: 'semantic', idCodebook: 8 }))).not.toBe(semantic);
    // The source of the codes does not change a step's cost.
    expect(stepShapeKey(tinyConfig({ idScheme: 'semantic', idSource: 'cf' }))).toBe(semantic);
  });

  it('times the semantic-ID step of a world with semantic IDs', async () => {
    const before = tf.memory().numTensors;
    const t = await timeTrainingSteps(tinyConfig({ idScheme: 'semantic', idLevels: 3, idCodebook: 4 }), { budgetMs: 50, minSteps: 2, maxSteps: 4 });
    expect(t.msPerStep).toBeGreaterThan(0);
    expect(t.stepper).toBe('plain (backend wasm)');
    expect(tf.memory().numTensors).toBe(before);
  });
});
