// Jest's global setup: builds dist/ from the current sources once per run, so the tests that run
// `bin/vigil.js` or `dist/server.js` as a user does test the code as it is now.
import { build } from '../../scripts/build.mjs';

export default async () => {
  await build();
};
