import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import './styles.css';
import { openStoredClassroom } from './stored-runs';
import { installTestHooks } from './test-hooks';
import { watchForUpdates } from './updates';
import { syncUrl } from './url-sync';

syncUrl();
openStoredClassroom();
installTestHooks();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

// Only builds have a service worker: under the dev server the plugin's registerSW does nothing.
if ('serviceWorker' in navigator) watchForUpdates();
