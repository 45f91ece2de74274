// `node --import ./record-modules.mjs …`: appends every module the process loads (each resolved
// ES module URL, and at exit every CommonJS file) to the file named by $VIGIL_MODULE_LOG.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const log = process.env.VIGIL_MODULE_LOG;
register('./record-modules-hooks.mjs', import.meta.url);
const require = createRequire(import.meta.url);
process.on('exit', () => {
  appendFileSync(
    log,
    Object.keys(require.cache)
      .map((file) => `${file}\n`)
      .join(''),
  );
});
