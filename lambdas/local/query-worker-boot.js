// Entry point of a local-mode query worker thread when Vigil runs from its sources (jest,
// `npm run dev`): Node.js loads TypeScript through tsx, then the worker itself. The build
// (scripts/build.mjs) writes the bundled worker under this same name into dist/.
import { register } from 'tsx/esm/api';

register();
await import('./query-worker.ts');
