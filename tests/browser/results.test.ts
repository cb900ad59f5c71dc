/**
 * Results files in the page: a runner's report.json opened in the Lab, a sweep.json merged
 * from shards opened in Sweeps, a bad file named; the Compare view with a stored run
 * against an opened file; one chart embedded with nothing around it.
 */
import AxeBuilder from '@axe-core/playwright';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { appUnderTest } from './harness';

const app = appUnderTest();
const tsx = join(process.cwd(), 'node_modules/.bin/tsx');
const runner = (args: string[]) => {
  const r = spawnSync(tsx, ['src/cli/experiment.ts', ...args], { encoding: 'utf8', timeout: 240000 });
  if (r.status !== 0) throw new Error(`runner failed: ${r.stderr}`);
};
const tiny = ['--set', 'items=40', '--set', 'topics=4', '--set', 'cfClusters=4', '--set', 'searchTrain=300', '--set', 'recTrain=300', '--set', 'searchTest=80',
  '--set', 'recTest=80', '--set', 'epochs=1', '--set', 'dim=8', '--set', 'heads=1', '--set', 'batchSize=64', '--set', 'biencoder=false', '--quiet'];
const dir = mkdtempSync(join(tmpdir(), 'bl-results-'));
const json = (name: string, path: string) => ({ name, mimeType: 'application/json', buffer: readFileSync(path) });

beforeAll(() => {
  // A runner's report, and a sweep run as two shards and merged, as on a cluster.
  runner([...tiny, '--seeds', '2', '--out', join(dir, 'run')]);
  for (const shard of ['1/2', '2/2']) runner([...tiny, '--sweep', 'recCoverage=0.5,1', '--seeds', '2', '--shard', shard, '--out', join(dir, `shard${shard[0]}`)]);
  runner(['--merge', join(dir, 'shard1'), join(dir, 'shard2'), '--out', join(dir, 'merged')]);
}, 300000);

describe('results files in the page', () => {
  it("opens a runner's report.json in the Lab: its first seed's charts, the file's metrics, where it came from", async () => {
    const page = await app.browser().newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(app.url());
    const report = JSON.parse(readFileSync(join(dir, 'run', 'report.json'), 'utf8'));
    await page.getByTestId('open-results-file').setInputFiles(json('report.json', join(dir, 'run', 'report.json')));
    await page.waitForFunction(() => /opened from file report\.json/.test(document.querySelector('[data-testid=status]')?.textContent ?? ''), null, { timeout: 10000 });
    expect(await page.getByTestId('status').textContent()).toMatch(/\(2 seeds, made \d{4}-\d\d-\d\d by npm run experiment -- .*--seeds 2/);
    for (const m of ['search', 'rec', 'joint']) {
      expect(Number(await page.getByTestId(`embedding-${m}`).getAttribute('data-points')), `embedding-${m}`).toBe(40);
      expect(Number(await page.getByTestId(`calibration-${m}`).getAttribute('data-points')), `calibration-${m}`).toBe(m === 'joint' ? 80 : 40); // one point per item and task
    }
    const row = page.getByTestId('metrics').locator('table').first().locator('tr', { hasText: 'Gen_S' });
    expect(await row.locator('td.num').first().textContent()).toBe((report.runs[0].models.search.eval.search['recall@10'] as number).toFixed(3));
    await page.screenshot({ path: 'test-results/opened-report.png', fullPage: true });
    await page.close();
  });

  it('opens a sweep.json merged from shards in Sweeps, with its curve and trends; a bad file is named with the path of the problem', async () => {
    const page = await app.browser().newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(app.url());
    await page.getByTestId('open-results-file').setInputFiles(json('sweep.json', join(dir, 'merged', 'sweep.json')));
    await page.getByTestId('sweeps-view').waitFor({ timeout: 10000 });
    expect(await page.getByTestId('sweep-status').textContent()).toMatch(/opened from file sweep\.json \(2 seeds, 2 point\(s\)/);
    expect(await page.getByTestId('sweep-chart').getAttribute('data-points')).toBe('2');
    expect(await page.getByTestId('sweep-trends').locator('li').count()).toBeGreaterThan(0);
    const broken = JSON.parse(readFileSync(join(dir, 'run', 'report.json'), 'utf8'));
    delete broken.runs[1].models.rec.eval;
    await page.getByTestId('open-results-file').setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(broken)) });
    await page.getByTestId('open-error').waitFor({ timeout: 10000 });
    expect(await page.getByTestId('open-error').textContent()).toMatch(/broken\.json: runs\[1\]\.models\.rec\.eval: missing/);
    await page.close();
  });

  it('compares a stored lesson run with an opened file: both sides drawn, the gains and their difference', async () => {
    const page = await app.browser().newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${app.url()}?view=compare&a=lesson:classroom&b=lesson:h2-unrelated`);
    await page.getByTestId('open-results-file').setInputFiles(json('report.json', join(dir, 'run', 'report.json')));
    // An opened report shows in the Lab when it is read: go to Compare after that, as a user would
    // (clicking sooner raced the open on a loaded machine, which then left Compare for the Lab).
    await page.waitForFunction(() => /opened from file report\.json/.test(document.querySelector('[data-testid=status]')?.textContent ?? ''), null, { timeout: 30000 });
    await page.getByTestId('view-compare').click();
    await page.getByTestId('compare-pick-b').selectOption('file:report.json');
    await page.waitForFunction(() => ['A', 'B'].every((s) => document.querySelector(`[data-testid=compare-${s}]`)?.getAttribute('data-ready') === 'yes'), null, { timeout: 15000 });
    expect(await page.getByTestId('compare-A').textContent()).toMatch(/stored lesson run: the classroom world/);
    expect(await page.getByTestId('compare-B').textContent()).toMatch(/opened file report\.json/);
    expect(await page.getByTestId('compare-difference').textContent()).toMatch(/recommendation: [+-]?\d+\.\d %.*\((paired by seed|Welch)/);
    for (const side of ['A', 'B']) expect(await page.getByTestId(`compare-${side}`).locator('.recharts-scatter-symbol').count()).toBeGreaterThan(30);
    await page.screenshot({ path: 'test-results/compare.png', fullPage: true });
    // Two stored runs go into the link.
    await page.getByTestId('compare-pick-b').selectOption('lesson:cold');
    expect(new URL(page.url()).searchParams.get('b')).toBe('lesson:cold');
    await page.close();
  });

  it('embeds one chart of a stored run and nothing else, axe-clean; a bad chart name is named', async () => {
    const context = await app.browser().newContext({ viewport: { width: 480, height: 320 } }); // axe wants a page of its own context
    const page = await context.newPage();
    await page.goto(`${app.url()}?embed=1&world=classroom&chart=calibration-joint`);
    await page.waitForFunction(() => document.querySelector('[data-testid=embed]')?.getAttribute('data-ready') === 'yes', null, { timeout: 15000 });
    expect(await page.locator('figure').count()).toBe(1);
    expect(await page.getByTestId('calibration-joint').locator('.recharts-scatter-symbol').count()).toBeGreaterThan(30);
    expect(await page.getByTestId('train').count()).toBe(0);
    const result = await new AxeBuilder({ page } as never).withTags(['wcag2a', 'wcag2aa']).analyze();
    expect(result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);
    await page.screenshot({ path: 'test-results/embed.png' });
    await page.goto(`${app.url()}?embed=1&world=classroom&chart=pie`);
    expect(await page.getByRole('alert').textContent()).toMatch(/chart=pie is not allowed: use one of metrics, gain, calibration-search/);
    await context.close();
  });
});
