/**
 * Times the app's full run (world, three models, evaluation) in headless Chromium per
 * backend, for the README's table:  npm run bench:browser -- [--preset NAME] [--backends webgpu,wasm]
 */
import { launch, startServer } from '../../tests/browser/harness';
import { BACKENDS } from '../engine/backend';
import { ConfigError } from '../engine/config';
import { PRESET_NAMES } from '../engine/presets';
import { parseFlags } from './args';

async function main(argv: string[]) {
  const { values } = parseFlags(argv, { values: ['preset', 'backends', 'set'] });
  const preset = values.preset ?? 'classroom';
  if (!PRESET_NAMES.includes(preset)) throw new ConfigError(`unknown preset "${preset}"; presets: ${PRESET_NAMES.join(', ')}`);
  const backends = (values.backends ?? 'webgpu,wasm').split(',');
  for (const b of backends) if (!(BACKENDS as readonly string[]).includes(b)) throw new ConfigError(`unknown backend "${b}"; allowed: ${BACKENDS.join(', ')}`);
  const server = await startServer();
  const browser = await launch();
  try {
    for (const b of backends) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      const t0 = Date.now();
      await page.goto(`${server.url}?preset=${preset}&backend=${b}&autorun=1${values.set ? `&${values.set}` : ''}`);
      await page.waitForFunction(() => /done|error/.test(document.querySelector('[data-testid=status]')?.textContent ?? ''), null, { timeout: 590000 });
      const status = await page.getByTestId('status').textContent();
      const used = await page.getByTestId('backend').textContent();
      process.stdout.write(`${preset} on ${used} (asked ${b}): ${status} (page load to done ${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
      await page.close();
    }
  } finally {
    await browser.close();
    server.stop();
  }
}

main(process.argv.slice(2)).catch((e) => {
  process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(e instanceof ConfigError ? 2 : 1);
});
