// The publisher console's page (docs/console.md): served by the feed service at /console, built by
// scripts/build-console.ts. Talks only to /console/api with its session cookie; signs in the browser.
import './jitless.ts';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';

createRoot(document.getElementById('root') as HTMLElement).render(<App />);
