import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drawAllCharts, launch, startServer } from './harness';

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
  const status = await page.getByTestId('status').textContent();
  await drawAllCharts(page); // the reader scrolls down to the charts
  return status;
}

/**
 * After Train: waits until the search model's progress moves. A long run (200 epochs, or a loaded machine) may be
 * expected to take over two minutes; then the page asks first and the answer is Start, whenever the question comes.
 */
async function untilTraining(timeout = 120000) {
  const deadline = Date.now() + timeout;
  // The bi-encoder reference trains first: its bar moving counts as training too.
  const moving = () => page.evaluate(() => ['search', 'biencoder'].some((m) => Number((document.querySelector(`[data-testid=progress-${m}]`) as HTMLProgressElement)?.value) > 0));
  while (!(await moving())) {
    expect(Date.now(), `training did not start in ${timeout / 1000} s`).toBeLessThan(deadline);
    if (await page.getByTestId('confirm-start').isVisible().catch(() => false)) {
      expect(await page.getByTestId('cost-estimate').textContent()).toMatch(/about [\d.]+ (min|h)/);
      await page.getByTestId('confirm-start').click();
    }
    await page.waitForTimeout(250);
  }
}

describe('the lab in Chromium', () => {
  it('trains a tiny world from the URL on WebGPU (backend=webgpu: the fused kernels) and draws every chart', async () => {
    await page.goto(`${server.url}?backend=webgpu&${TINY}`);
    await page.waitForSelector('.app');
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
    // The accuracy tables themselves (each task's More metrics sits below its table).
    const cells = await page.getByTestId('metrics').locator('.table-scroll > table td.num').allTextContents();
    // search: Popularity, BM25, Bi-encoder, Gen_S, Gen_R+S under each checkpoint selection, Oracle; recommendation: no BM25
    expect(cells.length).toBe((7 + 6) * 8);
    expect(await page.getByTestId('metrics').locator('tr.alternative', { hasText: 'Gen_R+S · one shared checkpoint' }).count()).toBe(2);
    expect(await page.getByTestId('metrics').locator('table').first().locator('tr', { hasText: 'BM25' }).count()).toBe(1);
    for (const table of await page.getByTestId('metrics').locator('.table-scroll > table').all()) expect(await table.locator('tr.baseline', { hasText: 'Bi-encoder' }).count()).toBe(1);
    // More metrics, one click away: MRR, @5 and the popularity-bias measures of every scorer that ranks the catalogue.
    await page.getByTestId('more-metrics-rec').locator('summary').click();
    const more = page.getByTestId('more-metrics-rec');
    expect(await more.locator('th[scope=col]').allTextContents()).toEqual(['scorer', 'MRR@10', 'Recall@5', 'NDCG@5', 'coverage', 'ARP', 'APLT', 'Gini', 'pop lift']);
    expect(await more.locator('tbody tr', { hasText: 'Gen_R+S' }).first().locator('td.num').allTextContents()).not.toContain('—');
    expect(await page.getByTestId('progress-biencoder').evaluate((p) => (p as HTMLProgressElement).value)).toBe(1);
    // the cold column reads — where a task saw every item in training; valid (2 digits) — for baselines
    for (const c of cells) expect(c).toMatch(/^(\d\.\d{2,3}|—)$/);
    expect(await page.getByTestId('tensors').textContent()).toMatch(/^\d+$/);
    await page.screenshot({ path: 'test-results/app-trained.png', fullPage: true });
    expect(errors).toEqual([]);
  });

  it('the fused WebGPU kernels train to the same losses as WASM in the browser', async () => {
    type Losses = Record<string, { stepper?: string; losses: { step: number; loss: number }[] }>;
    const models = () => page.evaluate(() => (window as unknown as { __bridgeLab: { report: () => { runs: { models: unknown }[] } } }).__bridgeLab.report().runs[0].models) as Promise<Losses>;
    const onGpu = await models();
    await page.goto(`${server.url}?backend=wasm&${TINY}`);
    expect(await trainAndWait()).toMatch(/done/);
    const onWasm = await models();
    for (const m of ['search', 'rec', 'joint']) {
      expect(onGpu[m].stepper, m).toBe('fused-webgpu');
      expect(onWasm[m].stepper, m).toBe('plain (backend wasm)');
      expect(onGpu[m].losses.map((l) => l.step)).toEqual(onWasm[m].losses.map((l) => l.step));
      onGpu[m].losses.forEach((l, i) => expect(Math.abs(l.loss - onWasm[m].losses[i].loss), `${m} step ${l.step}`).toBeLessThan(1e-3));
    }
    await page.goto(`${server.url}?backend=webgpu&${TINY}`);
    expect(await trainAndWait()).toMatch(/done/);
  });

  it('a second run leaves as many live tensors in the worker as the first', async () => {
    const first = Number(await page.getByTestId('tensors').textContent());
    expect(await trainAndWait()).toMatch(/done/);
    expect(Number(await page.getByTestId('tensors').textContent())).toBe(first);
  });

  it('Stop ends training promptly and leaves a consistent state', async () => {
    await page.goto(`${server.url}?backend=webgpu&${TINY.replace('epochs=2', 'epochs=200')}`);
    await page.getByTestId('train').click();
    await untilTraining();
    const t0 = Date.now();
    await page.getByTestId('stop').click();
    await page.waitForFunction(() => /stopped/.test(document.querySelector('[data-testid=status]')?.textContent ?? ''), null, { timeout: 60000 });
    expect(Date.now() - t0).toBeLessThan(30000);
    expect(await page.getByTestId('train').isEnabled()).toBe(true);
    expect(errors).toEqual([]);
  }, 240000);

  it('Stop also works on the wasm backend, whose reads never yield by themselves', async () => {
    await page.goto(`${server.url}?backend=wasm&${TINY.replace('epochs=2', 'epochs=200')}`);
    await page.getByTestId('train').click();
    await untilTraining();
    await page.getByTestId('stop').click();
    await page.waitForFunction(() => /stopped/.test(document.querySelector('[data-testid=status]')?.textContent ?? ''), null, { timeout: 30000 });
    expect(await page.getByTestId('backend').textContent()).toBe('wasm');
  });

  it('falls back and says so when the WebGPU device is lost, and finishes the run', async () => {
    await page.goto(`${server.url}?backend=webgpu&${TINY}`);
    await page.getByTestId('train').click();
    await page.waitForFunction(() => Number((document.querySelector('[data-testid=progress-search]') as HTMLProgressElement)?.value) > 0, null, { timeout: 120000 });
    expect(await page.getByTestId('backend').textContent()).toBe('webgpu');
    await page.evaluate(() => (window as unknown as { __bridgeLab: { loseDevice: () => void } }).__bridgeLab.loseDevice());
    await page.waitForFunction(() => /done|error/.test(document.querySelector('[data-testid=status]')?.textContent ?? ''), null, { timeout: 240000 });
    expect(await page.getByTestId('status').textContent()).toMatch(/done/);
    expect(await page.getByTestId('backend').textContent()).not.toBe('webgpu');
    expect(await page.getByTestId('backend-notice').textContent()).toMatch(/WebGPU device lost .*fell back and restarted the run/);
  });

  it('trains semantic IDs on WebGPU with the fused step and scores the beam on the device: only real items, the losses of WASM', async () => {
    type Run = { models: Record<string, { stepper?: string; losses: { step: number; loss: number }[]; eval: Record<string, { 'recall@10': number; validRate?: number }> }> };
    const run = () => page.evaluate(() => (window as unknown as { __bridgeLab: { report: () => { runs: unknown[] } } }).__bridgeLab.report().runs[0]) as Promise<Run>;
    const url = `idScheme=semantic&idCodebook=4&biencoder=false&${TINY}`;
    await page.goto(`${server.url}?backend=webgpu&${url}`);
    expect(await trainAndWait()).toMatch(/done/);
    expect(await page.getByTestId('backend').textContent()).toBe('webgpu');
    const onGpu = await run();
    await page.goto(`${server.url}?backend=wasm&${url}`);
    expect(await trainAndWait()).toMatch(/done/);
    const onWasm = await run();
    for (const m of ['search', 'rec', 'joint']) {
      expect(onGpu.models[m].stepper, m).toBe('fused-webgpu');
      expect(onGpu.models[m].losses.map((l) => l.step)).toEqual(onWasm.models[m].losses.map((l) => l.step));
      onGpu.models[m].losses.forEach((l, i) => expect(Math.abs(l.loss - onWasm.models[m].losses[i].loss), `${m} step ${l.step}`).toBeLessThan(1e-3));
      for (const [task, e] of Object.entries(onGpu.models[m].eval)) {
        expect(e.validRate, `${m} ${task}`).toBe(1);
        expect(Math.abs(e['recall@10'] - onWasm.models[m].eval[task]['recall@10']), `${m} ${task} recall`).toBeLessThan(0.05);
      }
    }
    expect(errors).toEqual([]);
  });

  it('trains with semantic IDs in the worker: every chart, only real items generated, an item\'s codes on hover', async () => {
    await page.goto(`${server.url}?backend=wasm&idScheme=semantic&idCodebook=4&recCoverage=0.5&${TINY}`);
    await page.waitForSelector('.app');
    expect(await page.getByTestId('url-notice').count()).toBe(0);
    expect(await page.locator('#knob-idSource').isDisabled()).toBe(false);
    expect(await trainAndWait()).toMatch(/done/);
    for (const m of ['search', 'rec', 'joint']) {
      for (const kind of ['calibration', 'embedding']) {
        expect(await page.getByTestId(`${kind}-${m}`).locator('.recharts-scatter-symbol').count(), `${kind}-${m}`).toBeGreaterThanOrEqual(30);
      }
    }
    // The valid column: 1.00 for each model row (three per task: Gen_R+S under both checkpoint selections), — for the baselines.
    const rows = page.getByTestId('metrics').locator('tbody tr.model');
    expect(await rows.count()).toBe(6);
    for (let i = 0; i < 6; i++) expect(await rows.nth(i).locator('td.num').last().textContent()).toBe('1.00');
    const report = await page.evaluate(() => (window as unknown as { __bridgeLab: { report: () => { runs: { ids?: { codes: string[] } }[] } } }).__bridgeLab.report());
    const codes = report.runs[0].ids!.codes;
    expect(new Set(codes).size).toBe(30);
    await page.getByTestId('embedding-joint').locator('.recharts-scatter-symbol').first().hover();
    const tip = page.locator('.tip').first();
    await tip.waitFor();
    expect(await tip.textContent()).toMatch(/item \d+ · codes \d+-\d+/);
    await page.screenshot({ path: 'test-results/app-semantic.png', fullPage: true });
    // Back to atomic IDs: the semantic knobs are off.
    await page.locator('summary').getByText('Model', { exact: true }).click();
    await page.locator('#knob-idScheme').selectOption('atomic');
    expect(await page.locator('#knob-idSource').isDisabled()).toBe(true);
    expect(errors).toEqual([]);
  });

  it('names bad URL parameters in a notice and uses the defaults', async () => {
    await page.goto(`${server.url}?items=lots&queryNoise=3&colour=red`);
    const notice = page.getByTestId('url-notice');
    await notice.waitFor();
    const text = await notice.textContent();
    expect(text).toMatch(/items="lots" is not allowed: items must be an integer from 20 to 20000/);
    expect(text).toMatch(/queryNoise="3" is not allowed/);
    expect(text).toMatch(/"colour" is not a parameter/);
    expect(await page.locator('#knob-items').inputValue()).toBe('300');
    await page.screenshot({ path: 'test-results/app-url-notice.png' });
  });

  it('runs a sweep in the worker, fills the curve, opens a point in the lab', async () => {
    await page.goto(`${server.url}?view=sweeps&backend=wasm&${TINY}`);
    await page.getByTestId('sweep-choice').selectOption('__custom');
    await page.locator('#sweep-key').selectOption('recCoverage');
    await page.getByTestId('sweep-values').fill('0.5,2');
    await page.locator('#sweep-seeds').fill('1');
    await page.getByTestId('sweep-run').click();
    expect(await page.getByTestId('sweep-error').textContent()).toMatch(/recCoverage="2" is not allowed: recCoverage must be a number from 0.05 to 1/);
    await page.getByTestId('sweep-values').fill('0.5,1');
    await page.getByTestId('sweep-run').click();
    await page.waitForFunction(() => /^(done|error|stopped)/.test(document.querySelector('[data-testid=sweep-status]')?.textContent ?? ''), null, { timeout: 180000 });
    expect(await page.getByTestId('sweep-status').textContent()).toMatch(/^done: 6\/6 models trained, 2 point/);
    expect(await page.getByTestId('sweep-chart').getAttribute('data-points')).toBe('2');
    // Trends come from per-seed values: one seed gives no interval, so nothing is shown.
    const trends = await page.getByTestId('sweep-trends').locator('li').allTextContents();
    expect(trends.length).toBe(2);
    for (const t of trends) expect(t).toMatch(/joint gain .*against recCoverage: slope .*\(no interval\).*1 seed — not shown/);
    await page.screenshot({ path: 'test-results/app-sweep.png', fullPage: true });
    await page.getByRole('button', { name: 'Open in lab' }).first().click();
    expect(await page.getByTestId('status').textContent()).toMatch(/done/);
    expect(await page.locator('#knob-recCoverage').inputValue()).toBe('0.5');
    expect(await page.getByTestId('metrics').locator('td.num').first().textContent()).toMatch(/^\d\.\d{3}$/);
    expect(errors).toEqual([]);
  });

  it('shows the joint model with and without an ablation side by side', async () => {
    await page.goto(`${server.url}?backend=wasm&outputBias=perTask&${TINY}`);
    expect(await trainAndWait()).toMatch(/done/);
    const table = page.getByTestId('ablation-compare');
    await table.waitFor();
    expect(await table.textContent()).toMatch(/with and without outputBias=perTask/);
    expect(await table.locator('td.num').count()).toBe(15);
  });

  it('shows the findings view', async () => {
    await page.goto(`${server.url}?view=findings`);
    await page.getByTestId('findings-view').waitFor();
    // The semantic-ID experiment: its curves over named settings, and verdicts computed in the page.
    await page.getByTestId('verdicts-ids').waitFor();
    expect(await page.getByTestId('verdicts-ids').locator('li').count()).toBeGreaterThanOrEqual(10);
    expect(await page.getByTestId('finding-ids').locator('.recharts-line-dots circle, .recharts-dot').count()).toBeGreaterThan(0);
    await page.getByTestId('finding-ids').screenshot({ path: 'test-results/app-findings-ids.png' });
    // Each claim with its slope, interval, seeds and verdict.
    const claims = await page.getByTestId('trends-h2-coverage').locator('li').allTextContents();
    expect(claims.length).toBeGreaterThanOrEqual(2);
    for (const c of claims) expect(c).toMatch(/slope [+−]\d.* \[[+−]\d.*, [+−]\d.*\] per .*, 10 seeds — (agrees|disagrees|rises|falls|not shown)/);
    // One family of claims: each trend with its p and its q over all of them, once every study has loaded.
    await page.getByTestId('findings-family').waitFor();
    const family = Number(await page.getByTestId('findings-family').textContent());
    expect(family).toBeGreaterThanOrEqual(20);
    for (const c of claims) expect(c).toMatch(new RegExp(`p [=<] 0\\.\\d{3}, q [=<] 0\\.\\d{3} \\(of ${family} claims\\)`));
    // A real-data study, stored or not yet, says so.
    expect(await page.getByRole('region', { name: 'Real data · recommendation data scale (MovieLens)' }).textContent()).toMatch(/real catalogue shipped with the page/);
    await page.screenshot({ path: 'test-results/app-findings.png', fullPage: true });
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
