import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { resolveConfig, type Config } from '../../src/engine/core/config';
import { selectBackend } from '../../src/engine/run/backend';

/** A tiny world that trains in about a second. */
export function tinyConfig(over: Partial<Config> = {}): Config {
  return resolveConfig({
    items: 40, topics: 4, cfClusters: 4, wordsPerTopic: 6, titleWordsPerItem: 1,
    searchTrain: 600, recTrain: 400, searchTest: 200, recTest: 200,
    dim: 16, heads: 2, layers: 1, epochs: 4, batchSize: 64, learningRate: 0.01,
    ...over,
  });
}

export async function useWasm(): Promise<void> {
  if (tf.getBackend() !== 'wasm') await selectBackend(['wasm']);
}
