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
