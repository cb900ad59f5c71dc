/**
 * The page's service worker (built by vite-plugin-pwa from this file, the precache list
 * injected): installable and offline after one visit, updates that wait for the page's
 * banner, and cross-origin isolation on any static host. Every response it serves gets
 * COOP/COEP headers (where the host sent none), so that a page it controls is
 * cross-origin isolated and tfjs-wasm can run threaded; updates.ts reloads a first visit
 * once, when idle, to come under it. Everything the page loads is same-origin.
 */
import { addPlugins, cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Parameters<typeof precacheAndRoute>[0] };

const ISOLATION: Record<string, string> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** The response with the isolation headers added (an opaque or redirected response is left as it is). */
function isolated(response: Response): Response {
  if (response.type === 'opaque' || response.type === 'opaqueredirect' || response.status === 0) return response;
  const missing = Object.keys(ISOLATION).filter((h) => !response.headers.has(h));
  if (!missing.length) return response;
  const headers = new Headers(response.headers);
  for (const h of missing) headers.set(h, ISOLATION[h]);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

addPlugins([{ handlerWillRespond: async ({ response }) => isolated(response) }]);
precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
// Any address of the app opens the app (its query string is the state).
registerRoute(new NavigationRoute(createHandlerBoundToURL('index.html')));

// A first install takes the open page at once (its reload then makes it isolated); a
// new version waits until the page's banner asks for it.
self.addEventListener('install', () => { if (!self.registration.active) void self.skipWaiting(); });
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
self.addEventListener('message', (event) => { if ((event.data as { type?: string } | null)?.type === 'SKIP_WAITING') void self.skipWaiting(); });
