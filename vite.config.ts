import { defineConfig } from 'vitest/config';
import { transformWithEsbuild, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';
import { readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };
// Every build names itself, so a deployed build differs from the one an open tab runs.
const buildId = process.env.BRIDGE_BUILD_ID ?? `${version} · built ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`;

// Cross-origin isolation lets tfjs-wasm use its threaded SIMD build (SharedArrayBuffer).
// A static host must send the same two headers. BRIDGE_NO_ISOLATION=1 leaves them out
// (to measure or test the one-thread fallback).
const isolation = process.env.BRIDGE_NO_ISOLATION === '1' ? {} : {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * Minifies every chunk (the page's and the worker's) but keeps the names (and so the source text) of the one
 * that holds tfjs-wasm's threaded factory: that build starts each pthread worker from the
 * factory's own text (Function.toString), which then refers to names defined beside it —
 * mangled names break it ("e is not defined" in every worker). Whitespace and syntax are
 * still minified there; every other chunk is minified fully.
 */
function minifyChunks(): Plugin {
  return {
    name: 'bridge-lab:minify-chunks',
    apply: 'build',
    // On the finished chunks: the bundler reprints a chunk after renderChunk.
    async generateBundle(_options, bundle) {
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== 'chunk') continue;
        // (Not esbuild's keepNames: its __name() helper would land in the factory's text too.)
        const keepNames = chunk.code.includes('WasmBackendModuleThreadedSimd');
        const out = await transformWithEsbuild(chunk.code, chunk.fileName, {
          minifyWhitespace: true, minifySyntax: true, minifyIdentifiers: !keepNames, target: 'es2022', format: 'esm', sourcemap: false,
        });
        chunk.code = out.code;
      }
    },
  };
}

export default defineConfig({
  // Relative paths: the build works from any folder of a static host.
  base: './',
  plugins: [
    react(),
    minifyChunks(),
    // Installable, and offline after one visit: the service worker (src/app/sw.ts, on Workbox)
    // precaches the app, its wasm files, the stored lesson and findings runs, and adds the
    // COOP/COEP headers to what it serves, so that any static host gives an isolated page.
    // A new version waits until the page's banner is clicked (src/app/updates.ts).
    VitePWA({
      registerType: 'prompt',
      injectRegister: false,
      strategies: 'injectManifest',
      srcDir: 'src/app',
      filename: 'sw.ts',
      manifest: {
        name: 'Bridge Lab', short_name: 'Bridge Lab',
        description: 'Does training one generative retriever on both search and recommendation help each task, and why?',
        start_url: '.', scope: '.', display: 'standalone', background_color: '#ffffff', theme_color: '#1f5f99',
        icons: [
          { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'favicon.svg', sizes: 'any', type: 'image/svg+xml' },
        ],
      },
      injectManifest: {
        globPatterns: ['**/*.{js,css,html,wasm,json,svg,png,csv}'],
        maximumFileSizeToCacheInBytes: 16 * 1024 * 1024,
      },
    }),
  ],
  define: { __BUILD_ID__: JSON.stringify(buildId) },
  // minifyChunks minifies (it keeps tfjs-wasm's threaded factory working); the bundler's own
  // minifier, which would also run on the worker, stays off.
  worker: { format: 'es', plugins: () => [minifyChunks()] },
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
