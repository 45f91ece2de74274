// Module hooks of record-modules.mjs: each resolved URL, appended as it is resolved.
import { appendFileSync } from 'node:fs';

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(process.env.VIGIL_MODULE_LOG, `${resolved.url}\n`);
  return resolved;
}
