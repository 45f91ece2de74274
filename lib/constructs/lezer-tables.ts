/**
 * `@prometheus-io/lezer-promql` as the Lambda bundles hold it: the same module, with the parse
 * tables of its `LRParser.deserialize` call already decoded. lezer ships them as strings in its
 * own compact encoding and decodes them when the module is imported, in a loop that runs cold at
 * every function's init (query, rule evaluator, drift monitors); here they are decoded once at
 * synth by lezer itself and written as base64 typed arrays, which `Buffer` reads natively.
 * `LRParser` takes a table that is not a string as it is (`decodeArray` in `@lezer/lr`).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { endianness, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';

/** The decoded tables as `LRParser` keeps them. */
interface ParserTables {
  readonly states: Uint32Array;
  readonly data: Uint16Array;
  readonly goto: Uint16Array;
  readonly tokenizers: readonly { readonly data?: unknown }[];
}

/** Reads a table back from base64 (each `Buffer` copied out of the shared pool). */
const TABLE_READER =
  'const __vigilTable = (b64, Type) => { const b = Buffer.from(b64, "base64"); return new Type(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)); };';

const tableExpr = (a: Uint16Array | Uint32Array): string =>
  `__vigilTable(${JSON.stringify(Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64'))}, ${a instanceof Uint32Array ? 'Uint32Array' : 'Uint16Array'})`;

/** Replaces the string value of `key` in the `deserialize({...})` spec. */
const replaceTable = (source: string, key: string, expr: string): string => {
  const literal = new RegExp(`\\n(\\s+)${key}: "(?:[^"\\\\]|\\\\.)*",`);
  if (!literal.test(source))
    throw new Error(`@prometheus-io/lezer-promql: no "${key}" string table to decode at synth`);
  return source.replace(literal, (_m, indent: string) => `\n${indent}${key}: ${expr},`);
};

let generated: string | undefined;

/**
 * The path of the module to bundle in place of `@prometheus-io/lezer-promql` (written once per
 * process under the OS's temporary folder, named by its content), or `undefined` on a big-endian
 * machine, whose typed arrays the arm64 runtime could not read.
 * @throws Error when the installed lezer-promql no longer holds its tables as strings
 */
const predecodedLezerPromql = (): string | undefined => {
  if (endianness() !== 'LE') return undefined;
  if (generated !== undefined) return generated;
  const require = createRequire(import.meta.url);
  const cjsEntry = require.resolve('@prometheus-io/lezer-promql');
  const pkgDir = resolve(dirname(cjsEntry), '..');
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as {
    exports: { import: string };
  };
  const lrEntry = createRequire(cjsEntry).resolve('@lezer/lr');
  const lrPkgDir = resolve(dirname(lrEntry), '..');
  const lrPkg = JSON.parse(readFileSync(join(lrPkgDir, 'package.json'), 'utf8')) as {
    module: string;
  };
  const tables = parser as unknown as ParserTables;
  const tokenData = tables.tokenizers.find((t) => t.data instanceof Uint16Array)?.data;
  if (!(tokenData instanceof Uint16Array))
    throw new Error('@prometheus-io/lezer-promql: no token table to decode at synth');
  let source = readFileSync(join(pkgDir, pkg.exports.import), 'utf8');
  source = replaceTable(source, 'states', tableExpr(tables.states));
  source = replaceTable(source, 'stateData', tableExpr(tables.data));
  source = replaceTable(source, 'goto', tableExpr(tables.goto));
  source = replaceTable(source, 'tokenData', tableExpr(tokenData));
  // The copy lives outside any node_modules: it imports @lezer/lr by its own path.
  source = source.replace(
    /from '@lezer\/lr';/,
    `from ${JSON.stringify(join(lrPkgDir, lrPkg.module))};\n${TABLE_READER}`,
  );
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), 'vigil-bundle-aliases');
  const file = join(dir, `lezer-promql-${hash}.mjs`);
  mkdirSync(dir, { recursive: true });
  const partial = `${file}.${process.pid}`;
  writeFileSync(partial, source);
  renameSync(partial, file);
  generated = file;
  return file;
};

export { predecodedLezerPromql };
