/**
 * Updates that reach an open tab. The service worker (vite-plugin-pwa, "prompt" mode)
 * installs a new version in the background and waits; the page learns of it here and
 * offers "a new version is ready" (App's UpdateBanner), held back while anything trains.
 * Reloading through the banner activates the new worker and loads the new app. An open
 * tab looks for a new version when it becomes visible again and every 30 minutes.
 */
import { registerSW } from 'virtual:pwa-register';
import { create } from 'zustand';

const CHECK_EVERY_MS = 30 * 60 * 1000;

export const useUpdate = create<{ ready: boolean; apply: () => void }>(() => ({ ready: false, apply: () => location.reload() }));

const RELOADED = 'bridge-lab:isolation-reload';

/**
 * On a host that sends no COOP/COEP headers, the service worker adds them (sw.ts): a page
 * it does not control yet (the first visit) reloads once when it comes under it, so that
 * it is cross-origin isolated and WASM runs threaded. Never while a job runs (`busy`), and
 * once per tab; where isolation still fails, WASM runs on one thread and the backend panel
 * says so.
 */
export function isolateThroughServiceWorker(busy: () => boolean): void {
  if (typeof crossOriginIsolated === 'undefined' || crossOriginIsolated || sessionStorage.getItem(RELOADED)) return;
  const reload = () => {
    if (busy() || sessionStorage.getItem(RELOADED)) return;
    sessionStorage.setItem(RELOADED, '1');
    location.reload();
  };
  if (navigator.serviceWorker.controller) reload();
  else navigator.serviceWorker.addEventListener('controllerchange', reload, { once: true });
}

/** Registers the service worker (production builds only; dev has none). */
export function watchForUpdates(): void {
  const apply = registerSW({
    onNeedRefresh: () => useUpdate.setState({ ready: true }),
    onRegisteredSW: (_url, registration) => {
      if (!registration) return;
      const check = () => { if (navigator.onLine) registration.update().catch(() => { /* offline or gone: try later */ }); };
      setInterval(check, CHECK_EVERY_MS);
      document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') check(); });
    },
  });
  useUpdate.setState({ apply: () => void apply(true) });
}
