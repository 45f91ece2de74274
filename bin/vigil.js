#!/usr/bin/env node
// `npx vigil …`: runs the TypeScript CLI through tsx, so no build step is needed.
import { register } from 'tsx/esm/api';

register();
await import('./cli.ts');
