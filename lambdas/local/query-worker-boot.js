// Entry point of a local-mode query worker thread: Node.js loads TypeScript through tsx (as
// `bin/vigil.js` does), then the worker itself.
import { register } from 'tsx/esm/api';

register();
await import('./query-worker.ts');
