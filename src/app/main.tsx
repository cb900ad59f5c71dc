import { startTransition, StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { Embed } from './Embed';
import './styles.css';
import { openStoredClassroom } from './stored-runs';
import { installTestHooks } from './test-hooks';
import { isolateThroughServiceWorker, watchForUpdates } from './updates';
import { jobRunning } from './store';
import { syncUrl } from './url-sync';

// `embed=1`: one chart of a stored run and nothing else (Embed.tsx); no worker, no URL sync.
const embed = new URLSearchParams(location.search).get('embed') === '1';
if (!embed) {
  syncUrl();
  openStoredClassroom();
  installTestHooks();
}

// The first render as a transition: React renders the page in slices between which the
// browser stays responsive (the page shown until then is index.html's header).
const root = createRoot(document.getElementById('root')!);
startTransition(() => root.render(
  <StrictMode>
    {embed ? <Embed search={location.search} /> : <App />}
  </StrictMode>,
));

// Only builds have a service worker: under the dev server the plugin's registerSW does nothing.
if ('serviceWorker' in navigator) {
  watchForUpdates();
  if (!embed) isolateThroughServiceWorker(jobRunning);
}
