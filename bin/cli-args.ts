/**
 * Flag parsing shared by every `vigil` command: `node:util` parseArgs in strict mode, with
 * one-line messages that name the flag (`unknown flag --x`, `--x needs a value`), and a flag
 * given twice refused rather than silently overridden.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';

/** Exit codes of Vigil's own commands (`rules check` and `rules test` keep promtool's). */
const ExitCode = { Ok: 0, Failure: 1, Usage: 2 } as const;

type FlagOptions = NonNullable<ParseArgsConfig['options']>;

/** The parsed values of `options`: a string or boolean per flag (arrays for `multiple`). */
type FlagValues<O extends FlagOptions> = {
  [K in keyof O]?: O[K]['type'] extends 'string'
    ? O[K]['multiple'] extends true
      ? string[]
      : string
    : O[K]['multiple'] extends true
      ? boolean[]
      : boolean;
};

interface ParsedFlags<O extends FlagOptions> {
  readonly values: FlagValues<O>;
  readonly positionals: string[];
}

/** parseArgs's error (ERR_PARSE_ARGS_*) in the words of Vigil's other messages. */
const flagError = (error: Error & { code?: string }): string => {
  const quoted = /'([^']*)'/.exec(error.message)?.[1] ?? '';
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown flag ${quoted}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${JSON.stringify(quoted)}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const flag = /--[\w-]+/.exec(error.message)?.[0] ?? quoted;
      if (error.message.includes('does not take an argument')) return `${flag} takes no value`;
      if (error.message.includes('ambiguous')) {
        return `${flag} needs a value (write ${flag}=<value> for a value starting with "-")`;
      }
      return `${flag} needs a value`;
    }
    default:
      return error.message;
  }
};

/**
 * Parses `args` against `options`; `{ error }` names the first problem.
 * @example parseFlags(['--limit', '5'], { limit: { type: 'string' } }) // { values: { limit: '5' }, positionals: [] }
 */
const parseFlags = <const O extends FlagOptions>(
  args: readonly string[],
  options: O,
  { positionals = false }: { positionals?: boolean } = {},
): ParsedFlags<O> | { error: string } => {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...args],
      options,
      allowPositionals: positionals,
      strict: true,
      tokens: true,
    });
  } catch (error) {
    return { error: flagError(error as Error) };
  }
  const seen = new Set<string>();
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== 'option' || options[token.name]?.multiple === true) continue;
    if (seen.has(token.name)) return { error: `--${token.name} given twice` };
    seen.add(token.name);
  }
  return { values: parsed.values as FlagValues<O>, positionals: parsed.positionals };
};

/** The `--help` flag every command takes. */
const HELP_FLAG = { help: { type: 'boolean', short: 'h' } } as const;

export type { FlagValues, ParsedFlags };
export { ExitCode, HELP_FLAG, parseFlags };
