import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { buildSync, type Metafile } from 'esbuild';

type Output = Metafile['outputs'][string];

/** The entry's output and the outputs it imports statically, transitively: what init reads. */
const staticClosure = (metafile: Metafile, entry: string): string[] => {
  const seen = new Set([entry]);
  const queue = [entry];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    for (const i of metafile.outputs[file]?.imports ?? []) {
      if (i.kind === 'import-statement' && !i.external && !seen.has(i.path)) {
        seen.add(i.path);
        queue.push(i.path);
      }
    }
  }
  return [...seen];
};

/** The name `index.mjs` exports the binding `name` of the `n`th folded chunk under. */
const alias = (n: number, name: string): string => `__vigil_${n}_${name}`;

/** One import declaration of esbuild's minified output: `import{a as b,c}from"./x.mjs";`. */
const IMPORT_DECLARATION = /import(?:\{([^"'(){};]*)\}from|[^"'(){};]*from)?\s*(["'])([^"']*)\2;?/y;

/**
 * `code` (a chunk loaded on first use) with its imports of folded chunks taken from `index.mjs`
 * instead, or `undefined` if it has none. Import declarations lead a chunk's second line (the
 * first is the `require` banner, which has no source mapping): each one that names a folded chunk
 * is blanked with as many spaces, so the columns of the source map stay true, and its bindings
 * are imported from `index.mjs` at the end of the first line.
 */
const importFromIndex = (
  code: string,
  foldedIndex: ReadonlyMap<string, number>,
): string | undefined => {
  const lineEnd = code.indexOf('\n');
  if (lineEnd < 0) return undefined;
  let text = code;
  const moved: string[] = [];
  IMPORT_DECLARATION.lastIndex = lineEnd + 1;
  for (let m = IMPORT_DECLARATION.exec(text); m !== null; m = IMPORT_DECLARATION.exec(text)) {
    const [declaration, clause, , specifier = ''] = m;
    const n = foldedIndex.get(specifier.replace(/^\.\//, ''));
    const isNamedOrBare = clause !== undefined || declaration.indexOf('from') < 0;
    if (n === undefined || !isNamedOrBare) continue;
    const bindings = (clause ?? '')
      .split(',')
      .filter((b) => b.trim() !== '')
      .map((b) => {
        const [imported = '', local = imported] = b.trim().split(/\s+as\s+/);
        return `${alias(n, imported)} as ${local}`;
      });
    // A bare import only ran the chunk, which index.mjs has run.
    if (bindings.length > 0) moved.push(`import{${bindings.join(',')}}from"./index.mjs";`);
    const at = m.index;
    text = `${text.slice(0, at)}${' '.repeat(declaration.length)}${text.slice(at + declaration.length)}`;
  }
  if (text === code) return undefined;
  return `${text.slice(0, lineEnd)}${moved.join('')}${text.slice(lineEnd)}`;
};

/**
 * Folds the chunks a split bundle's `index.mjs` imports statically into `index.mjs` itself, so
 * that init reads one file. esbuild gives each module that the entry shares with an `import()`
 * target a chunk of its own, and a function's init read up to ten files, most under 1 KiB: each
 * costs a module record, a file read and a link step (`npm run bench:init`). The chunks loaded on
 * first use then import those bindings from `index.mjs`, so they share the very instances the
 * handler holds (error classes, caches) and read no extra file either. A folded chunk still
 * named elsewhere is left as a one-line module re-exporting its bindings from `index.mjs`.
 * Source maps are chained through the inputs' own maps. (A handler must not await an `import()`
 * at its top level: the chunk would wait on `index.mjs`, which waits on it.)
 *
 * `outdir` holds the output of `metafile`'s build, whose keys are relative to `absWorkingDir`.
 * Returns the metafile of the files as they now are: `index.mjs` lists every source module of
 * the chunks folded into it.
 */
const foldInitChunks = (metafile: Metafile, outdir: string, absWorkingDir: string): Metafile => {
  const entry = Object.keys(metafile.outputs).find((k) => basename(k) === 'index.mjs');
  if (entry === undefined) throw new Error(`no index.mjs among the outputs in ${outdir}`);
  const folded = staticClosure(metafile, entry).slice(1);
  if (folded.length === 0) return metafile;
  const foldedIndex = new Map(folded.map((chunk, n) => [basename(chunk), n]));
  const exportsOf = (chunk: string): string[] => metafile.outputs[chunk]?.exports ?? [];
  const lazy = Object.keys(metafile.outputs).filter(
    (k) => k.endsWith('.mjs') && k !== entry && !foldedIndex.has(basename(k)),
  );
  const reexports = folded.map((chunk, n) => {
    const names = exportsOf(chunk).map((e) => `${e} as ${alias(n, e)}`);
    return `export { ${names.join(', ')} } from './${basename(chunk)}';`;
  });
  const result = buildSync({
    absWorkingDir,
    stdin: {
      contents: ["export * from './index.mjs';", ...reexports].join('\n'),
      resolveDir: outdir,
      sourcefile: 'index-folded.mjs',
    },
    bundle: true,
    outfile: join(outdir, 'index.mjs'),
    allowOverwrite: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    // The first build's own externals (packages the runtime provides) and the chunks loaded
    // on first use stay imports.
    packages: 'external',
    external: lazy.map((k) => `./${basename(k)}`),
    metafile: true,
    logLevel: 'error',
  });
  for (const file of result.outputFiles) writeFileSync(file.path, file.contents);

  const outputs: Record<string, Output> = { ...metafile.outputs };
  const texts = new Map<string, string>();
  for (const chunk of lazy) {
    const path = join(outdir, basename(chunk));
    const code = readFileSync(path, 'utf8');
    const rewritten = importFromIndex(code, foldedIndex);
    texts.set(chunk, rewritten ?? code);
    if (rewritten === undefined) continue;
    writeFileSync(path, rewritten);
    const output = outputs[chunk];
    if (output !== undefined) outputs[chunk] = { ...output, bytes: Buffer.byteLength(rewritten) };
  }
  const stillNamed = new Set(
    [...foldedIndex.keys()].filter((name) =>
      [...texts.values()].some((text) => text.includes(`./${name}`)),
    ),
  );
  for (const chunk of lazy) {
    const output = outputs[chunk];
    if (output === undefined) continue;
    outputs[chunk] = {
      ...output,
      imports: output.imports.map((i) =>
        foldedIndex.has(basename(i.path)) && !stillNamed.has(basename(i.path))
          ? { ...i, path: entry }
          : i,
      ),
    };
  }
  folded.forEach((chunk, n) => {
    const file = join(outdir, basename(chunk));
    // Its map went with its code into index.mjs.map.
    rmSync(`${file}.map`, { force: true });
    delete outputs[`${chunk}.map`];
    if (!stillNamed.has(basename(chunk))) {
      rmSync(file);
      delete outputs[chunk];
      return;
    }
    const names = exportsOf(chunk).map((e) => `${alias(n, e)} as ${e}`);
    const facade = `export{${names.join(',')}}from"./index.mjs";\n`;
    writeFileSync(file, facade);
    outputs[chunk] = {
      bytes: Buffer.byteLength(facade),
      inputs: {},
      imports: [{ path: entry, kind: 'import-statement' }],
      exports: exportsOf(chunk),
    };
  });

  const foldedOutput = result.metafile.outputs[entry];
  if (foldedOutput === undefined) throw new Error(`esbuild wrote no ${entry}`);
  const mapKey = `${entry}.map`;
  const foldedMap = result.metafile.outputs[mapKey];
  if (foldedMap !== undefined) outputs[mapKey] = foldedMap;
  outputs[entry] = {
    ...foldedOutput,
    inputs: Object.assign(
      {},
      ...[entry, ...folded].map((k) => metafile.outputs[k]?.inputs ?? {}),
    ) as Output['inputs'],
  };
  return { inputs: metafile.inputs, outputs };
};

export { foldInitChunks, staticClosure };
