#!/usr/bin/env node
// `npx vigil …`: runs the CLI built into dist/ by `npm run build` (which `npm ci` and `npm install`
// run as the `prepare` script), so no TypeScript is compiled at start.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  console.error('vigil: the CLI is not built (no dist/cli.js): run `npm run build` once');
  process.exit(1);
}
await import(cli.href);
