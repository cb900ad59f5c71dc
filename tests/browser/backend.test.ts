/**
 * The measured backend choice, the cost estimate and cross-origin isolation, in Chromium
 * (WebGPU on SwiftShader here, so WASM should win; the test asserts what was measured,
 * not which backend wins).
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { appUnderTest, startServer } from './harness';

const app = appUnderTest();

const statusIs = (page: Page, re: RegExp, timeout: number) =>
  page.waitForFunction((src) => new RegExp(src).test(document.querySelector('[data-testid=status]')?.textContent ?? ''), re.source, { timeout });

describe('the fused WebGPU kernels in Chromium', () => {
  it("each kernel equals the plain ops on Chromium's WebGPU: forward states, gradients, Adam", async () => {
    const page = await app.browser().newPage();
    await page.goto(app.url());
    type Result = { checks: { name: string; relError: number }[] | null; error?: string };
    const r = await page.evaluate(() => (window as unknown as { __bridgeLab: { checkKernels: () => Promise<Result> } }).__bridgeLab.checkKernels()) as Result;
    expect(r.error).toBeUndefined();
    // Atomic IDs: 7 forward states, 29 gradients, 29 Adam updates; semantic IDs: 7, 32, 32.
    expect(r.checks!.length).toBe(7 + 29 + 29 + 7 + 32 + 32);
    expect(r.checks!.filter((c) => c.name.startsWith('semantic ')).length).toBe(7 + 32 + 32);
    for (const c of r.checks!) expect(c.relError, c.name).toBeLessThan(/\badam\b/.test(c.name) ? 1e-3 : 1e-4);
    await page.close();
  });
});

describe('choosing the backend by measuring', () => {
  it('with no backend= the classroom page times each backend, trains on the fastest, cross-origin isolated', async () => {
    const context = await app.browser().newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const t0 = Date.now();
    await page.goto(`${app.url()}?autorun=1`);
    await statusIs(page, /done|error/, 120000);
    const seconds = (Date.now() - t0) / 1000;
    expect(await page.getByTestId('status').textContent()).toMatch(/done/);
    // autorun=1 started one run: no second start was refused beside it.
    expect(await page.getByText('Training did not start').count()).toBe(0);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    const speeds = page.getByTestId('backend-speeds');
    const rows = await speeds.locator('li').evaluateAll((lis) => lis.map((li) => ({ name: li.getAttribute('data-backend'), text: li.textContent ?? '' })));
    expect(rows.map((r) => r.name).sort()).toEqual(['wasm', 'webgpu']);
    const ms = rows.map((r) => ({ name: r.name, ms: Number(/([\d.]+) ms per step/.exec(r.text)?.[1]) }));
    for (const r of ms) expect(r.ms, r.name ?? '').toBeGreaterThan(0);
    const fastest = ms.reduce((a, b) => (b.ms < a.ms ? b : a));
    expect(await page.getByTestId('backend').textContent()).toBe(fastest.name);
    expect(await page.getByTestId('backend-reason').textContent()).toMatch(/trained this world fastest/);
    expect(rows.find((r) => r.name === 'webgpu')!.text).toMatch(/fused-webgpu/);
    expect(await page.getByTestId('cost-estimate').textContent()).toMatch(/Expected training time on \w+: about [\d.]+ (s|min)/);
    console.log(`page load to done, with the backend probe: ${seconds.toFixed(1)} s`); // information, not a timed assertion
    await page.screenshot({ path: 'test-results/app-backend-choice.png' });
    // The choice is remembered for this device and shape: the next visit does not measure again.
    await page.goto(app.url()); // without autorun=1, so that Train is free to press
    await page.getByTestId('train').click();
    await page.getByTestId('backend-speeds').waitFor();
    expect(await page.getByTestId('backend-speeds').textContent()).toMatch(/remembered from/);
    await statusIs(page, /done|error/, 120000);
    // Stored entries replaced with garbage: the page drops them, measures again and still trains.
    await page.evaluate(() => {
      const key = 'bridge-lab:backend-choices@2';
      const entries = JSON.parse(localStorage.getItem(key) ?? '{}');
      for (const k of Object.keys(entries)) entries[k] = k.length % 2 ? null : { backend: 'tpu', speeds: 'fast' };
      localStorage.setItem(key, JSON.stringify({ ...entries, junk: 42 }));
    });
    await page.goto(app.url()); // without autorun=1
    await page.getByTestId('train').click();
    await statusIs(page, /done|error/, 120000);
    expect(await page.getByTestId('status').textContent()).toMatch(/done/);
    expect(await page.getByTestId('backend-speeds').textContent()).toMatch(/just now/);
    // Measure again forgets what was remembered.
    await page.getByTestId('measure-again').click();
    expect(await page.evaluate(() => localStorage.getItem('bridge-lab:backend-choices@2'))).toBeNull();
    await context.close();
  }, 360000);

  it('asks before a run expected to take over two minutes, and Cancel trains nothing', async () => {
    const page = await app.browser().newPage();
    await page.goto(`${app.url()}?backend=wasm&searchTrain=200000&epochs=100&autorun=1`);
    await page.getByTestId('confirm-run').waitFor({ timeout: 60000 });
    expect(await page.getByTestId('cost-estimate').textContent()).toMatch(/about [\d.]+ (min|h)/);
    expect(await page.getByTestId('status').textContent()).toMatch(/waiting for your answer/);
    await page.getByTestId('confirm-cancel').click();
    await statusIs(page, /ready/, 10000);
    expect(await page.getByTestId('progress-search').evaluate((p) => (p as HTMLProgressElement).value)).toBe(0);
    await page.close();
  });

  it('the minified build trains on threaded WASM where the page is cross-origin isolated', async () => {
    const page = await app.browser().newPage();
    const wasmFiles: string[] = [];
    page.on('request', (r) => { if (r.url().endsWith('.wasm')) wasmFiles.push(r.url()); });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await page.goto(`${app.url()}?backend=wasm&items=30&topics=3&cfClusters=3&wordsPerTopic=4&searchTrain=256&recTrain=192&searchTest=64&recTest=64&dim=8&heads=1&epochs=2&batchSize=64&autorun=1`);
    await statusIs(page, /done|error/, 90000);
    expect(await page.getByTestId('status').textContent()).toMatch(/done/);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    // The threaded SIMD build was fetched and its pthread workers started (a worker that cannot start fails the run).
    expect(wasmFiles.some((u) => /threaded-simd/.test(u)), wasmFiles.join(', ')).toBe(true);
    expect(await page.getByTestId('wasm-threads').textContent()).toMatch(/cross-origin isolated \(\d+ threads?\)/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('on a static host without COOP/COEP the service worker isolates the page after one reload: threaded WASM, a run finishes', async () => {
    const plain = await startServer({ build: false, isolation: false });
    const context = await app.browser().newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await context.newPage();
      const wasmFiles: string[] = [];
      page.on('request', (r) => { if (r.url().endsWith('.wasm')) wasmFiles.push(r.url()); });
      const tiny = 'backend=wasm&items=30&topics=3&cfClusters=3&wordsPerTopic=4&searchTrain=256&recTrain=192&searchTest=64&recTest=64&dim=8&heads=1&epochs=2&batchSize=64';
      await page.goto(`${plain.url}?${tiny}`);
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(false); // the host sent no headers
      // The service worker installs, takes the page, and the page reloads itself once.
      await page.waitForFunction(() => crossOriginIsolated, null, { timeout: 60000 });
      expect(await page.evaluate(() => sessionStorage.getItem('bridge-lab:isolation-reload'))).toBe('1');
      expect(page.url()).toContain('items=30'); // the link survives the reload
      await page.getByTestId('train').click();
      await statusIs(page, /done|error/, 90000);
      expect(await page.getByTestId('status').textContent()).toMatch(/done/);
      expect(wasmFiles.some((u) => /threaded-simd/.test(u)), wasmFiles.join(', ')).toBe(true);
      expect(await page.getByTestId('wasm-threads').textContent()).toMatch(/cross-origin isolated \(\d+ threads?\)/);
      await page.screenshot({ path: 'test-results/static-host-isolated.png' });
    } finally {
      await context.close();
      plain.stop();
    }
  });

  it('where no service worker can isolate it, WASM runs on one thread, says so, and still trains', async () => {
    const plain = await startServer({ build: false, isolation: false });
    const context = await app.browser().newContext({ serviceWorkers: 'block' });
    try {
      const page = await context.newPage();
      await page.goto(`${plain.url}?backend=wasm&items=30&topics=3&cfClusters=3&wordsPerTopic=4&searchTrain=256&recTrain=192&searchTest=64&recTest=64&dim=8&heads=1&epochs=2&batchSize=64&autorun=1`);
      await statusIs(page, /done|error/, 60000);
      expect(await page.getByTestId('status').textContent()).toMatch(/done/);
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
      expect(await page.getByTestId('wasm-threads').textContent()).toMatch(/one thread: this page is not cross-origin isolated/);
    } finally {
      await context.close();
      plain.stop();
    }
  });
});
