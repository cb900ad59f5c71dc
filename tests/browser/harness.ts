/** Builds the app, serves it on loopback and drives Debian's Chromium with WebGPU on. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Builds the app (unless `build: false`) and serves it; `isolation: false` leaves out the
 *  COOP/COEP headers, as a plain static host would. */
export async function startServer(opts: { build?: boolean; isolation?: boolean } = {}): Promise<{ url: string; stop: () => void }> {
  if (opts.build !== false) {
    const build = spawnSync('npx', ['vite', 'build', '--logLevel', 'error'], { encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`vite build failed:\n${build.stderr}`);
  }
  // A port the OS says is free: a random one could be another live server's (the suite's own, cross-origin isolated),
  // which would answer the readiness check below in this server's place.
  const port = await new Promise<number>((done, fail) => {
    const probe = createServer().once('error', fail).listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address() as AddressInfo;
      probe.close(() => done(free));
    });
  });
  const env = { ...process.env, BRIDGE_NO_ISOLATION: opts.isolation === false ? '1' : '' };
  const server: ChildProcess = spawn('npx', ['vite', 'preview', '--port', String(port), '--strictPort', '--host', '127.0.0.1'], { stdio: 'pipe', detached: true, env });
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(url)).ok) break;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, stop: () => { try { process.kill(-server.pid!, 'SIGTERM'); } catch { /* gone */ } } };
}

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    // Playwright starts it headless with a fresh temporary profile.
    args: ['--no-sandbox', '--disable-gpu-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Builds and serves the app and starts Chromium before the file's tests, and stops both after. */
export function appUnderTest(): { url: () => string; browser: () => Browser } {
  let server: { url: string; stop: () => void } | null = null;
  let browser: Browser | null = null;
  beforeAll(async () => {
    server = await startServer();
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    server?.stop();
  });
  return { url: () => server!.url, browser: () => browser! };
}

/** Scrolls every chart the Lab has not drawn yet into view, as a reader would, and waits until all are drawn. */
export async function drawAllCharts(page: Page): Promise<void> {
  const left = page.getByTestId('chart-deferred');
  for (let i = 0; i < 40 && (await left.count()) > 0; i++) {
    await left.first().scrollIntoViewIfNeeded().catch(() => { /* drawn meanwhile */ });
    await page.waitForTimeout(30);
  }
  if (await left.count()) throw new Error('charts still waiting to be drawn after scrolling to them');
  await chartsLoaded(page);
}

/** Waits until no chart is still loading its code (charts/lazy.tsx). */
export async function chartsLoaded(page: Page, timeout = 20000): Promise<void> {
  await page.waitForFunction(() => !document.querySelector('[data-testid=chart-loading]'), null, { timeout });
}
