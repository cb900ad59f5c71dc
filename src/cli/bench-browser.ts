/**
 * Times the app's full run (world, three models, evaluation) in headless Chromium, from
 * page load to done, for the table in docs/measured.md: each backend forced, the automatic choice
 * (measured on a fresh profile), and WASM with threads (cross-origin isolated) and on one
 * thread (served without the COOP/COEP headers). `lesson` retrains the lesson's classroom
 * world live (its 3 seeds, the automatic choice), as a teacher's Train live does.
 *
 * Each run also sets the page's cost estimate against the time from the estimate's
 * appearance to the results (training and evaluation: what the estimate predicts).
 * `first-load` opens the lesson on a fresh profile and reports the page's own scripts
 * (bytes, and gzip bytes as a server would send them) and the time from navigation to the
 * stored charts.
 *
 * `lighthouse` runs Lighthouse 12 (fetched by npm exec on first use; no binary: it drives
 * Debian's Chromium) on the Lesson and the Lab and reports its performance and
 * accessibility scores.
 *
 *   npm run bench:browser -- [--preset NAME] [--backends auto,webgpu,wasm,wasm-1thread,lesson,first-load,lighthouse] [--set k=v&k=v] [--json]
 */
import type { Browser } from 'playwright-core';
import { launch, startServer } from '../../tests/browser/harness';
import { BACKENDS } from '../engine/core/backends';
import { ConfigError } from '../engine/core/config';
import { PRESET_NAMES } from '../engine/core/presets';
import { parseFlags } from './args';
import { BENCH_BROWSER } from './commands';
import { gzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';

const RUNS = ['auto', ...BACKENDS, 'wasm-1thread', 'lesson', 'first-load', 'lighthouse'] as const;

/** Lighthouse's performance and accessibility scores (0–100) for one page of the app. */
function lighthouse(url: string): { performance: number; accessibility: number } {
  const r = spawnSync('npm', ['exec', '--yes', '--package=lighthouse@12', '--', 'lighthouse', url, '--quiet', '--output=json', '--output-path=stdout',
    '--only-categories=performance,accessibility', '--chrome-flags=--headless=new --no-sandbox'], { encoding: 'utf8', env: { ...process.env, CHROME_PATH: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' }, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`lighthouse failed: ${r.stderr.slice(-500)}`);
  const j = JSON.parse(r.stdout) as { categories: Record<string, { score: number }> };
  return { performance: Math.round(j.categories.performance.score * 100), accessibility: Math.round(j.categories.accessibility.score * 100) };
}

/** The lesson on a fresh profile: the page's scripts (not the worker's) and the time to its stored charts. */
async function firstLoad(browser: Browser, url: string): Promise<{ seconds: number; scripts: number; bytes: number; gzipBytes: number }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, serviceWorkers: 'block' });
  const page = await context.newPage();
  const scripts: Promise<Buffer>[] = [];
  page.on('response', (r) => { if (r.request().resourceType() === 'script' && r.frame() === page.mainFrame()) scripts.push(r.body()); });
  const t0 = Date.now();
  await page.goto(`${url}?view=lesson&step=1`);
  await page.waitForFunction(() => document.querySelector('[data-testid^=lesson-world-]')?.getAttribute('data-source') === 'stored'
    && document.querySelector('.lesson-world svg, .lesson-world [data-testid=metrics] td') !== null, null, { timeout: 60_000 });
  const seconds = (Date.now() - t0) / 1000;
  const bodies = await Promise.all(scripts);
  await context.close();
  return { seconds, scripts: bodies.length, bytes: bodies.reduce((a, b) => a + b.length, 0), gzipBytes: bodies.reduce((a, b) => a + gzipSync(b).length, 0) };
}

/** Done (or failed), and in the lesson the world's run is the live one. */
const ended = () => /done|error/.test(document.querySelector('[data-testid=status]')?.textContent ?? '')
  && document.querySelector('[data-testid=lesson-world-single]')?.getAttribute('data-source') !== 'stored';

async function timeRun(browser: Browser, url: string, lesson: boolean): Promise<{ seconds: number; estimate: number; afterEstimate: number; status: string; backend: string; speeds: string | null; threads: string }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const t0 = Date.now();
  await page.goto(url);
  if (lesson) {
    await page.waitForFunction(() => document.querySelector('[data-testid=lesson-world-single]')?.getAttribute('data-source') === 'stored', null, { timeout: 60_000 });
    await page.getByTestId('lesson-live').click();
  }
  // The estimate comes before training; a run expected to take over two minutes asks first: the benchmark says yes.
  await page.getByTestId('cost-estimate').waitFor({ timeout: 600_000 });
  let tEstimate = Date.now();
  const estimate = Number(await page.getByTestId('cost-estimate').getAttribute('data-seconds'));
  if (await page.getByTestId('confirm-start').isVisible().catch(() => false)) {
    await page.getByTestId('confirm-start').click();
    tEstimate = Date.now();
  }
  await page.waitForFunction(ended, null, { timeout: 3_600_000 });
  const tEnd = Date.now();
  const out = {
    seconds: (tEnd - t0) / 1000,
    estimate,
    afterEstimate: (tEnd - tEstimate) / 1000,
    status: (await page.getByTestId('status').textContent()) ?? '',
    backend: (await page.getByTestId('backend').textContent()) ?? '',
    speeds: (await page.getByTestId('backend-speeds').count()) ? await page.getByTestId('backend-speeds').locator('li').allTextContents().then((l) => l.join('; ')) : null,
    threads: (await page.getByTestId('wasm-threads').textContent()) ?? '',
  };
  await context.close();
  return out;
}

async function main(argv: string[]) {
  const { values, switches } = parseFlags(argv, BENCH_BROWSER);
  const preset = values.preset ?? 'classroom';
  if (!PRESET_NAMES.includes(preset)) throw new ConfigError(`unknown preset "${preset}"; presets: ${PRESET_NAMES.join(', ')}`);
  const runs = (values.backends ?? 'auto,webgpu,wasm,wasm-1thread').split(',');
  for (const b of runs) if (!(RUNS as readonly string[]).includes(b)) throw new ConfigError(`unknown run "${b}"; allowed: ${RUNS.join(', ')}`);
  const server = await startServer();
  const plain = runs.includes('wasm-1thread') ? await startServer({ build: false, isolation: false }) : null;
  const browser = await launch();
  const results: Record<string, unknown>[] = [];
  try {
    for (const run of runs) {
      if (run === 'lighthouse') {
        for (const [page, query] of [['Lesson', '?view=lesson&step=1'], ['Lab', '']]) {
          const r = lighthouse(`${server.url}${query}`);
          results.push({ run, page, ...r });
          if (!switches.has('json')) process.stdout.write(`lighthouse, ${page}: performance ${r.performance}, accessibility ${r.accessibility}\n`);
        }
        continue;
      }
      if (run === 'first-load') {
        const r = await firstLoad(browser, server.url);
        results.push({ run, ...r });
        if (!switches.has('json')) process.stdout.write(`first load (lesson, fresh profile): ${r.scripts} page scripts, ${(r.bytes / 1024).toFixed(0)} KB (${(r.gzipBytes / 1024).toFixed(0)} KB gzip); stored charts after ${r.seconds.toFixed(2)} s\n`);
        continue;
      }
      const base = run === 'wasm-1thread' ? plain!.url : server.url;
      const backend = ['auto', 'lesson'].includes(run) ? '' : `&backend=${run === 'wasm-1thread' ? 'wasm' : run}`;
      const url = run === 'lesson' ? `${base}?view=lesson&step=1` : `${base}?preset=${preset}&autorun=1${backend}${values.set ? `&${values.set}` : ''}`;
      const r = await timeRun(browser, url, run === 'lesson');
      results.push({ run, preset: run === 'lesson' ? 'lesson classroom, 3 seeds' : preset, ...r });
      if (!switches.has('json')) {
        process.stdout.write(`${run === 'lesson' ? 'lesson classroom (3 seeds)' : preset}, ${run}: trained on ${r.backend}, ${r.status}; page load to done ${r.seconds.toFixed(1)} s\n`);
        process.stdout.write(`  estimate ${r.estimate.toFixed(1)} s, estimate to results ${r.afterEstimate.toFixed(1)} s (estimate/real ${(r.estimate / r.afterEstimate).toFixed(2)})\n`);
        if (r.speeds) process.stdout.write(`  measured: ${r.speeds}\n`);
        process.stdout.write(`  ${r.threads}\n`);
      }
    }
  } finally {
    await browser.close();
    server.stop();
    plain?.stop();
  }
  if (switches.has('json')) process.stdout.write(JSON.stringify(results) + '\n');
}

main(process.argv.slice(2)).catch((e) => {
  process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(e instanceof ConfigError ? 2 : 1);
});
