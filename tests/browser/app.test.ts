import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, startServer } from './harness';

// A tiny world: SwiftShader's WebGPU is slow.
const TINY = 'items=30&topics=3&cfClusters=3&wordsPerTopic=4&titleWordsPerItem=1&searchTrain=256&recTrain=192&searchTest=64&recTest=64&dim=8&heads=1&epochs=2&batchSize=64&patience=0';

let server: { url: string; stop: () => void };
let browser: Browser;
let page: Page;
const errors: string[] = [];

beforeAll(async () => {
  server = await startServer();
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  mkdirSync('test-results', { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  server?.stop();
});

async function trainAndWait(timeout = 240000) {
  await page.getByTestId('train').click();
  await page.waitForFunction(() => /done|error|stopped/.test(document.querySelector('[data-testid=status]')?.textContent ?? ''), null, { timeout });
  return page.getByTestId('status').textContent();
}

describe('the lab in Chromium', () => {
  it('trains a tiny world from the URL on WebGPU and draws every chart', async () => {
    await page.goto(`${server.url}?${TINY}`);
    expect(await page.getByTestId('url-notice').count()).toBe(0);
    const status = await trainAndWait();
    expect(status).toMatch(/done/);
    expect(await page.getByTestId('backend').textContent()).toBe('webgpu');
    for (const m of ['search', 'rec', 'joint']) {
      for (const kind of ['calibration', 'embedding']) {
        const chart = page.getByTestId(`${kind}-${m}`);
        expect(Number(await chart.getAttribute('data-points')), `${kind}-${m}`).toBeGreaterThan(0);
        expect(await chart.locator('.recharts-scatter-symbol').count(), `${kind}-${m} symbols`).toBeGreaterThanOrEqual(30);
      }
    }
    const cells = await page.getByTestId('metrics').locator('td.num').allTextContents();
    expect(cells.length).toBe(2 * 4 * 6);
    for (const c of cells) expect(c).toMatch(/^\d\.\d{3}$/);
    expect(await page.getByTestId('tensors').textContent()).toMatch(/^\d+$/);
    await page.screenshot({ path: 'test-results/app-trained.png', fullPage: true });
    expect(errors).toEqual([]);
  });

  it('a second run leaves as many live tensors in the worker as the first', async () => {
    const first = Number(await page.getByTestId('tensors').textContent());
    expect(await trainAndWait()).toMatch(/done/);
    expect(Number(await page.getByTestId('tensors').textContent())).toBe(first);
  });

  it('Stop ends training promptly and leaves a consistent state', async () => {
    await page.goto(`${server.url}?${TINY.replace('epochs=2', 'epochs=200')}`);
    await page.getByTestId('train').click();
    await page.waitForFunction(() => Number((document.querySelector('[data-testid=progress-search]') as HTMLProgressElement)?.value) > 0, null, { timeout: 120000 });
    const t0 = Date.now();
    await page.getByTestId('stop').click();
    await page.waitForFunction(() => /stopped/.test(document.querySelector('[data-testid=status]')?.textContent ?? ''), null, { timeout: 60000 });
    expect(Date.now() - t0).toBeLessThan(30000);
    expect(await page.getByTestId('train').isEnabled()).toBe(true);
    expect(errors).toEqual([]);
  });

  it('Stop also works on the wasm backend, whose reads never yield by themselves', async () => {
    await page.goto(`${server.url}?backend=wasm&${TINY.replace('epochs=2', 'epochs=200')}`);
    await page.getByTestId('train').click();
    await page.waitForFunction(() => Number((document.querySelector('[data-testid=progress-search]') as HTMLProgressElement)?.value) > 0, null, { timeout: 60000 });
    await page.getByTestId('stop').click();
    await page.waitForFunction(() => /stopped/.test(document.querySelector('[data-testid=status]')?.textContent ?? ''), null, { timeout: 30000 });
    expect(await page.getByTestId('backend').textContent()).toBe('wasm');
  });

  it('names bad URL parameters in a notice and uses the defaults', async () => {
    await page.goto(`${server.url}?items=lots&queryNoise=3&colour=red`);
    const notice = page.getByTestId('url-notice');
    await notice.waitFor();
    const text = await notice.textContent();
    expect(text).toMatch(/items="lots" is not allowed: items must be an integer from 20 to 5000/);
    expect(text).toMatch(/queryNoise="3" is not allowed/);
    expect(text).toMatch(/"colour" is not a parameter/);
    expect(await page.locator('#knob-items').inputValue()).toBe('300');
    await page.screenshot({ path: 'test-results/app-url-notice.png' });
  });

  it('works on a narrow screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${server.url}?${TINY}`);
    const box = await page.getByTestId('train').boundingBox();
    expect(box && box.x + box.width).toBeLessThanOrEqual(390);
    await page.keyboard.press('Tab');
    await page.screenshot({ path: 'test-results/app-narrow.png' });
  });
});
