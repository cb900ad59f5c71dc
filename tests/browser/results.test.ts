/**
 * Results files in the page: a runner's report.json opened in the Lab, a sweep.json merged
 * from shards opened in Sweeps, a bad file named; the Compare view with a stored run
 * against an opened file; one chart embedded with nothing around it.
 */
import AxeBuilder from '@axe-core/playwright';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { appUnderTest, chartsLoaded, drawAllCharts } from './harness';

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

/** A tiny catalogue in MovieLens's own layout: 60 movies in 3 genres, 50 users rating 12 each, a few tags. */
function writeMovieLens(to: string): void {
  mkdirSync(to, { recursive: true });
  const movies = ['movieId,title,genres', ...Array.from({ length: 60 }, (_, i) => `${i + 1},"Film ${i + 1} (19${60 + (i % 40)})",${['Drama', 'Comedy', 'Horror'][i % 3]}`)];
  const ratings = ['userId,movieId,rating,timestamp'], tags = ['userId,movieId,tag,timestamp'];
  for (let u = 1; u <= 50; u++) for (let k = 0; k < 12; k++) {
    const m = 1 + ((u * 7 + k * (u % 5 + 1)) % 60);
    ratings.push(`${u},${m},${1 + ((u + k) % 5)},${1000 + u * 100 + k}`);
    if ((u + k) % 2 === 0) tags.push(`${u},${m},${['dark', 'funny', 'scary'][m % 3]} film,${1000 + u * 100 + k}`);
  }
  writeFileSync(join(to, 'movies.csv'), movies.join('\n'));
  writeFileSync(join(to, 'ratings.csv'), ratings.join('\n'));
  writeFileSync(join(to, 'tags.csv'), tags.join('\n'));
}

beforeAll(() => {
  // A runner's report, and a sweep run as two shards and merged, as on a cluster.
  runner([...tiny, '--seeds', '2', '--out', join(dir, 'run')]);
  for (const shard of ['1/2', '2/2']) runner([...tiny, '--sweep', 'recCoverage=0.5,1', '--seeds', '2', '--shard', shard, '--out', join(dir, `shard${shard[0]}`)]);
  runner(['--merge', join(dir, 'shard1'), join(dir, 'shard2'), '--out', join(dir, 'merged')]);
  // Reports of every other kind: semantic IDs, a simulated world's files imported, a public layout converted.
  const model = ['--set', 'epochs=1', '--set', 'dim=8', '--set', 'heads=1', '--set', 'biencoder=false', '--quiet'];
  runner([...tiny, '--set', 'idScheme=semantic', '--out', join(dir, 'semantic')]);
  runner([...tiny.slice(0, 14), '--export-world', join(dir, 'files')]);
  runner(['--data', join(dir, 'files'), ...model, '--out', join(dir, 'imported')]);
  writeMovieLens(join(dir, 'ml-src'));
  runner(['--convert', 'movielens', join(dir, 'ml-src'), '--out', join(dir, 'ml')]);
  runner(['--data', join(dir, 'ml'), ...model, '--set', 'indexing=2', '--out', join(dir, 'converted')]);
}, 400000);

describe('results files in the page', () => {
  it("opens a runner's report.json in the Lab: its first seed's charts, the file's metrics, where it came from", async () => {
    const page = await app.browser().newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(app.url());
    const report = JSON.parse(readFileSync(join(dir, 'run', 'report.json'), 'utf8'));
    await page.getByTestId('open-results-file').setInputFiles(json('report.json', join(dir, 'run', 'report.json')));
    await page.waitForFunction(() => /opened from file report\.json/.test(document.querySelector('[data-testid=status]')?.textContent ?? ''), null, { timeout: 10000 });
    expect(await page.getByTestId('status').textContent()).toMatch(/\(2 seeds, made \d{4}-\d\d-\d\d by npm run experiment -- .*--seeds 2/);
    await drawAllCharts(page);
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
    await chartsLoaded(page);
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

  it('opens results files of every kind, and 50 damaged ones: the page is never blank, and each file is drawn, refused with its problem named, or drawn with the failing part named', async () => {
    const page = await app.browser().newPage({ viewport: { width: 1280, height: 900 } });
    const uncaught: string[] = [];
    page.on('pageerror', (e) => uncaught.push(e.message));
    await page.goto(app.url());
    const read = (d: string, f = 'report.json') => JSON.parse(readFileSync(join(dir, d, f), 'utf8'));
    const stopped = read('run');
    stopped.stopped = true;
    delete stopped.runs[1].models.joint;
    const bases: [string, unknown][] = [['simulated', read('run')], ['semantic', read('semantic')], ['imported', read('imported')], ['converted', read('converted')],
      ['stopped', stopped], ['sweep', read('merged', 'sweep.json')]];
    /** Opens one file; how the page answered: drawn, refused (the notice names the file and the problem) or drawn with a part's error. */
    const open = async (name: string, body: string): Promise<'drawn' | 'refused' | 'part failed'> => {
      if (await page.getByTestId('draw-error').count()) await page.reload(); // no stale error answers for the next file
      await page.getByTestId('open-results-file').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(body) });
      await page.waitForFunction((n) => [...document.querySelectorAll('[data-testid=status], [data-testid=sweep-status], [data-testid=open-error], [data-testid=draw-error]')]
        .some((e) => (e.textContent ?? '').includes(n) || e.getAttribute('data-testid') === 'draw-error'), name, { timeout: 15000 });
      await drawAllCharts(page); // every part drawn, as a reader scrolling down would, so that any that cannot draw says so
      // Never blank: the header, the views' tabs and a view (or its error in its place) are on screen.
      expect(await page.locator('h1').textContent()).toBe('Bridge Lab');
      expect(await page.locator('main, [data-testid=draw-error]').count(), name).toBeGreaterThan(0);
      expect((await page.locator('body').innerText()).length, name).toBeGreaterThan(300);
      const refused = await page.getByTestId('open-error').count() ? await page.getByTestId('open-error').textContent() : null;
      if (refused?.includes(name)) {
        expect(refused, name).toMatch(new RegExp(`${name}: (\\S+: )?\\S.*`));
        await page.getByTestId('open-error').getByRole('button', { name: 'Dismiss' }).click();
        return 'refused';
      }
      const failed = page.getByTestId('draw-error');
      if (await failed.count()) {
        expect(await failed.first().textContent(), name).toMatch(/could not be drawn: \S/);
        return 'part failed';
      }
      return 'drawn';
    };
    for (const [kind, base] of bases) expect(await open(`${kind}.json`, JSON.stringify(base)), kind).toBe('drawn');
    // A part that cannot draw what it was given names itself; the rest of the Lab stays.
    const noHead = read('imported');
    delete noHead.runs[0].models.search.eval.search.byBucket.head;
    expect(await open('no-head-bucket.json', JSON.stringify(noHead))).toBe('part failed');
    expect(await page.getByTestId('draw-error').textContent()).toMatch(/The accuracy table could not be drawn: .*recall@10/);
    expect(await page.getByTestId('embedding-joint').locator('.recharts-scatter-symbol').count()).toBeGreaterThan(30);
    await page.screenshot({ path: 'test-results/part-failed.png', fullPage: false });
    // 50 mutations: a field removed, given the wrong type, or made a huge list, at paths drawn (seeded) from the six files.
    let state = 12345;
    const rand = (n: number) => { state = (Math.imul(state, 1103515245) + 12345) >>> 0; return state % n; };
    const paths = (x: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] => {
      if (at.length >= 7 || typeof x !== 'object' || x === null) return out;
      const entries = Array.isArray(x) ? x.slice(0, 3).map((v, i) => [i, v] as const) : Object.entries(x);
      for (const [k, v] of entries) { out.push([...at, k]); paths(v, [...at, k], out); }
      return out;
    };
    const ops = ['remove', 'null', 'string', 'number', 'empty list', 'object', 'huge list'] as const;
    const outcomes: Record<string, number> = { drawn: 0, refused: 0, 'part failed': 0 };
    for (let m = 0; m < 50; m++) {
      const [kind, base] = bases[m % bases.length];
      const doc = structuredClone(base) as Record<string | number, unknown>;
      const all = paths(doc);
      const path = all[rand(all.length)];
      const op = ops[rand(ops.length)];
      let parent: Record<string | number, unknown> = doc;
      for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
      const key = path[path.length - 1];
      if (op === 'remove') { if (Array.isArray(parent)) parent.splice(Number(key), 1); else delete parent[key]; }
      else parent[key] = { null: null, string: 'x', number: 7, 'empty list': [], object: {}, 'huge list': Array.from({ length: 200000 }, (_, i) => i % 7) }[op];
      const name = `mutant-${String(m).padStart(2, '0')}.json`;
      const outcome = await open(name, JSON.stringify(doc));
      outcomes[outcome]++;
      console.log(`${name}: ${kind} ${path.join('.')} ${op} → ${outcome}`);
    }
    console.log(`50 damaged files: ${outcomes.drawn} drawn, ${outcomes.refused} refused with the problem named, ${outcomes['part failed']} drawn with the failing part named`);
    expect(uncaught).toEqual([]);
    await page.screenshot({ path: 'test-results/damaged-files.png', fullPage: false });
    await page.close();
  }, 600000);
});
