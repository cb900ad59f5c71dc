import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// Cross-origin isolation lets tfjs-wasm use its threaded SIMD build (SharedArrayBuffer).
// A static host must send the same two headers. BRIDGE_NO_ISOLATION=1 leaves them out
// (to measure or test the one-thread fallback).
const isolation = process.env.BRIDGE_NO_ISOLATION === '1' ? {} : {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [react()],
  worker: { format: 'es' },
  // Not minified: tfjs-wasm's threaded build starts its pthread workers from the source
// text of a factory function (Function.toString), which minification breaks ("e is not
// defined" in every worker).
  build: { target: 'es2022', chunkSizeWarningLimit: 4000, minify: false },
  optimizeDeps: { exclude: ['@tensorflow/tfjs-backend-wasm'] },
  server: { headers: isolation },
  preview: { headers: isolation },
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/browser/**/*.test.ts'],
    testTimeout: 120000,
    hookTimeout: 180000,
    fileParallelism: false,
  },
});
