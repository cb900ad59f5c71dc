/** Updates reach an open tab: build twice, serve the first, then the second; the page offers the new version and reloading gets it. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch } from './harness';

const TYPES: Record<string, string> = {
  '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.webmanifest': 'application/manifest+json',
};

function build(outDir: string, id: string): void {
  const r = spawnSync('npx', ['vite', 'build', '--logLevel', 'error', '--outDir', outDir, '--emptyOutDir'], { encoding: 'utf8', env: { ...process.env, BRIDGE_BUILD_ID: id } });
  if (r.status !== 0) throw new Error(`vite build failed:\n${r.stderr}`);
}

/** A plain static host whose folder can be swapped, as a deploy swaps it. */
function serve(dir: () => string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    let file = join(dir(), path);
    try { if (statSync(file).isDirectory()) file = join(file, 'index.html'); } catch { file = join(dir(), 'index.html'); }
    try {
      const body = readFileSync(file);
      res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    resolve({ server, url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/` });
  }));
}

describe('a new version', () => {
  const root = mkdtempSync(join(tmpdir(), 'bridge-update-'));
  const first = join(root, 'first'), second = join(root, 'second');
  let current = first;
  let host: { server: Server; url: string };
  let browser: Browser;
  beforeAll(async () => {
    build(first, 'first-build');
    build(second, 'second-build');
    host = await serve(() => current);
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    host?.server.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('is offered to an open page once deployed, and reloading gets it', async () => {
    const page = await browser.newPage();
    await page.goto(`${host.url}?view=lab`);
    // This host sends no COOP/COEP: the first build's service worker takes the page, and the page reloads itself
    // once to be served by it (cross-origin isolated).
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null && crossOriginIsolated, null, { timeout: 30000 });
    expect(await page.getByTestId('build-id').textContent()).toMatch(/first-build/);
    expect(await page.getByTestId('update-ready').count()).toBe(0);
    current = second; // the deploy
    await page.reload(); // the browser looks for a new service worker on navigation
    await page.getByTestId('update-ready').waitFor({ timeout: 90000 });
    expect(await page.getByTestId('build-id').textContent()).toMatch(/first-build/); // still the old app until asked
    await page.getByTestId('update-reload').click();
    await page.waitForFunction(() => /second-build/.test(document.querySelector('[data-testid=build-id]')?.textContent ?? ''), null, { timeout: 30000 });
    expect(await page.getByTestId('update-ready').count()).toBe(0);
    await page.close();
  }, 180000);
});
