/** Your data in the browser: three files chosen, parsed in the worker, summarised, trained on; a bad file is named. */
import { describe, expect, it } from 'vitest';
import { exportWorld } from '../../src/engine/data/export';
import { resolveConfig } from '../../src/engine/core/config';
import { appUnderTest } from './harness';

const app = appUnderTest();

const world = exportWorld(resolveConfig({ items: 40, topics: 4, cfClusters: 4, wordsPerTopic: 6, titleWordsPerItem: 1, searchTrain: 400, recTrain: 300, searchTest: 100, recTest: 100 }));
const file = (name: string, text: string) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });

describe('your data', () => {
  it('parses three files in the worker, summarises them, trains the three models and draws the charts', async () => {
    const page = await app.browser().newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${app.url()}?view=data&backend=wasm&dim=8&heads=1&epochs=2&batchSize=64`);
    await page.getByTestId('data-files').setInputFiles([file('items.csv', world.items), file('queries.csv', world.queries), file('sessions.csv', world.sessions)]);
    await page.getByTestId('data-summary').waitFor({ timeout: 20000 });
    expect(await page.getByTestId('data-summary').textContent()).toMatch(/items40categories4/);
    await page.getByTestId('data-train').click();
    await page.getByTestId('data-results').waitFor({ timeout: 120000 });
    for (const m of ['search', 'rec', 'joint']) expect(Number(await page.getByTestId(`embedding-${m}`).getAttribute('data-points'))).toBe(40);
    const oracleCells = await page.getByTestId('data-results').locator('tr', { hasText: 'Oracle' }).locator('td.num').allTextContents();
    expect(oracleCells.every((c) => c === '—')).toBe(true);
    // The status names the run on screen; the gains come with their interval over the seeds; the categories are named.
    expect(await page.getByTestId('status').textContent()).toMatch(/trained on your files \(.*3 seeds\): done in/);
    expect(await page.getByTestId('lesson-gain').textContent()).toMatch(/joint gain on recommendation: [+-]?[\d.]+ % \[.*\].*over 3 seeds/);
    expect(await page.getByTestId('embedding-legend-joint').locator('li').count()).toBe(4);
    await page.screenshot({ path: 'test-results/data-view.png', fullPage: true });
    await page.close();
  });

  it('a real catalogue ships with the page: Real · MovieLens (small) loads as the Lab\'s world, its simulation knobs disabled; Your data offers it as an example', async () => {
    const page = await app.browser().newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(`${app.url()}?backend=wasm`);
    await page.getByTestId('world').selectOption('movielens-small');
    await page.waitForFunction(() => /Loaded: 3,351 items, 2,382 training queries, 24,143/.test(document.querySelector('[data-testid=world-status]')?.textContent ?? ''), null, { timeout: 60000 });
    expect(await page.getByTestId('imported-note').textContent()).toMatch(/real catalogue \(MovieLens \(small\)\).*disabled; the model and training knobs apply/);
    expect(await page.locator('#knob-items').isDisabled()).toBe(true);
    expect(await page.locator('#knob-popularityAgreement').isDisabled()).toBe(true);
    expect(await page.locator('#knob-epochs').isEnabled()).toBe(true);
    expect(await page.locator('#knob-indexing').inputValue()).toBe('8'); // the imported-data default
    await page.screenshot({ path: 'test-results/real-world.png' });
    // Back to a simulated world: its knobs work again.
    await page.getByTestId('world').selectOption('simulated');
    expect(await page.locator('#knob-items').isEnabled()).toBe(true);
    await page.getByTestId('view-data').click();
    await page.getByTestId('data-example-movielens-small').click();
    await page.getByTestId('data-summary').waitFor({ timeout: 60000 });
    expect(await page.getByTestId('data-summary').textContent()).toMatch(/items3,351categories19/);
    expect(await page.getByTestId('data-train').isEnabled()).toBe(true);
    await page.close();
  });

  it('refuses an import while a run trains, with a notice; Stop still stops and the page is not stuck', async () => {
    const page = await app.browser().newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${app.url()}?view=data&backend=wasm&dim=8&heads=1&epochs=200&batchSize=64&patience=0`);
    const three = [file('items.csv', world.items), file('queries.csv', world.queries), file('sessions.csv', world.sessions)];
    await page.getByTestId('data-files').setInputFiles(three);
    await page.getByTestId('data-summary').waitFor({ timeout: 20000 });
    await page.getByTestId('data-train').click();
    await page.getByTestId('data-progress').waitFor({ timeout: 60000 });
    await page.getByTestId('data-files').setInputFiles(three);
    await page.getByTestId('busy-notice').waitFor({ timeout: 10000 });
    expect(await page.getByTestId('busy-notice').textContent()).toMatch(/Importing files did not start: a run is training\. Stop it or wait/);
    expect(await page.getByTestId('data-summary').count()).toBe(1); // the loaded catalogue stays
    await page.getByTestId('data-stop').click();
    await page.waitForFunction(() => /stopped|ready/.test(document.querySelector('[data-testid=status]')?.textContent ?? ''), null, { timeout: 60000 });
    expect(await page.getByTestId('data-train').isEnabled()).toBe(true);
    await page.close();
  });

  it('stops a long import at once, and the next import works', async () => {
    const page = await app.browser().newPage();
    await page.goto(`${app.url()}?view=data`);
    // 2.5 million session rows (about 33 MB): seconds of parsing in the worker.
    const rows = ['session_id,item_id'];
    for (let r = 0; r < 2_500_000; r++) rows.push(`s${Math.floor(r / 6)},i${(r * 7) % 40}`);
    const big = rows.join('\n');
    await page.getByTestId('data-files').setInputFiles([file('items.csv', world.items), file('queries.csv', world.queries), file('sessions.csv', big)]);
    await page.getByTestId('data-stop-import').click({ timeout: 20000 });
    await page.getByTestId('data-error').waitFor({ timeout: 5000 });
    expect(await page.getByTestId('data-error').textContent()).toMatch(/Import stopped/);
    expect(await page.getByTestId('data-summary').count()).toBe(0);
    await page.getByTestId('data-files').setInputFiles([file('items.csv', world.items), file('queries.csv', world.queries), file('sessions.csv', world.sessions)]);
    await page.getByTestId('data-summary').waitFor({ timeout: 20000 });
    await page.close();
  });

  it("converts a public dataset's own files (MovieLens layout) in the worker and summarises what was kept", async () => {
    const page = await app.browser().newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${app.url()}?view=data&backend=wasm`);
    // 60 movies in 3 genres, 50 users rating 12 each in time order, a few tags.
    const movies = ['movieId,title,genres', ...Array.from({ length: 60 }, (_, i) => `${i + 1},"Film ${i + 1}, The (19${60 + (i % 40)})",${['Drama', 'Comedy', 'Horror'][i % 3]}`)];
    const ratings = ['userId,movieId,rating,timestamp'];
    const tags = ['userId,movieId,tag,timestamp'];
    for (let u = 1; u <= 50; u++) for (let k = 0; k < 12; k++) {
      const m = 1 + ((u * 7 + k * (u % 5 + 1)) % 60);
      ratings.push(`${u},${m},${1 + ((u + k) % 5)},${1000 + u * 100 + k}`);
      if ((u + k) % 3 === 0) tags.push(`${u},${m},${['dark', 'funny', 'scary'][m % 3]} film,${1000 + u * 100 + k}`);
    }
    await page.getByTestId('data-files').setInputFiles([file('movies.csv', movies.join('\n')), file('ratings.csv', ratings.join('\n')), file('tags.csv', tags.join('\n'))]);
    await page.getByTestId('data-summary').waitFor({ timeout: 20000 });
    expect(await page.getByTestId('data-summary').textContent()).toMatch(/categories3/);
    expect(await page.getByTestId('data-conversion').textContent()).toMatch(/Converted from movielens.*Kept: \d+ items \(movies\), 50 sessions/s);
    expect(await page.getByTestId('data-train').isEnabled()).toBe(true);
    await page.close();
  });

  it('names a bad file and its line, and a missing file', async () => {
    const page = await app.browser().newPage();
    await page.goto(`${app.url()}?view=data`);
    const badQueries = 'query,item_id\nw1,i0\nw1,i1\nw1,i2\nw1,i3\nw1,i4\nw2,nope\n';
    await page.getByTestId('data-files').setInputFiles([file('items.csv', world.items), file('queries.csv', badQueries), file('sessions.csv', world.sessions)]);
    await page.getByTestId('data-error').waitFor({ timeout: 20000 });
    expect(await page.getByTestId('data-error').textContent()).toMatch(/queries\.csv:7: unknown item_id "nope"/);
    expect(await page.getByTestId('data-train').isEnabled()).toBe(false);
    await page.getByTestId('data-files').setInputFiles([file('items.csv', world.items)]);
    expect(await page.getByTestId('data-error').textContent()).toMatch(/missing queries\.csv, sessions\.csv/);
    await page.close();
  });
});
