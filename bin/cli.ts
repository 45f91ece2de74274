/** The `vigil` command line: one subcommand per file under bin/commands/, each returning an exit code. */
import { checkRules, parseCheckRulesArgs } from './commands/check-rules';
import { cost } from './commands/cost';
import { doctor } from './commands/doctor';
import { runDrift } from './commands/drift';
import { logs } from './commands/logs';
import { gpuAgentConfig, parseGpuAgentConfigArgs } from './commands/gpu-agent-config';
import { repair } from './commands/repair';
import { testRules } from './commands/test-rules';
import { orExitOnConfigError } from '../lambdas/shared/config-file';

const USAGE = `usage: vigil <command>

commands:
  rules check [--lint=duplicate-rules|all|none] [--lint-fatal] <files...>
            check Prometheus rule files like \`promtool check rules\` (exit 0 ok, 1 errors, 3 lint)
  rules test <files...>
            run rule unit-test files like \`promtool test rules\` (exit 0 all pass, 1 otherwise)
  cost [--workload small|mid|large] [--series <n>] [--interval 15s] [--log-gb-per-day <x>] [--json] ...
            monthly AWS bill on each store (Timestream, AMP), line by line, and the store to choose
            (\`vigil cost --help\` lists every flag; exit 0 ok, 1 bad flag or config)
  doctor    check before deploying: config, AWS credentials, CDK bootstrap, Timestream for LiveAnalytics,
            Lambda concurrency quota, leftovers of a destroyed stack; one line each, with the fix
            (exit 0 ok, 1 a check failed, 2 no credentials)
  logs [--service <s>] [--correlation-id <id>] [--level <l>] [--since 1h] [--until <t>] [--limit <n>] [--json] [--remote]
            read structured log events back (local data dir; --remote: Logs Insights on the deployed stack)
  gpu-agent-config [--config <file>]
            print the CloudWatch agent configuration (nvidia_gpu, cpu, mem, disk) the stack stores in SSM
  repair [--data-dir <dir>]
            repair the damaged files of a local data directory (default $VIGIL_DATA_DIR or .vigil)
            that \`npm start\` refused to start on; damaged originals are kept (docs/local-data.md)
  drift --reference <ref.csv> --current <cur.csv> [--method auto|ks|wasserstein|psi|jensenshannon|chisquare|z]
        [--columns a,b] [--threshold x] [--format json|table]
            compare two CSV files column by column with drift statistics (exit 0 compared, 1 bad input, 2 usage)
`;

const rules = async (args: readonly string[]): Promise<number> => {
  const [subcommand, ...rest] = args;
  if (subcommand === 'test') {
    return testRules(
      rest.filter((a) => a !== '--'),
      (line) => console.log(line),
      (line) => console.error(line),
    );
  }
  if (subcommand !== 'check') {
    process.stderr.write(`vigil: unknown rules command ${JSON.stringify(subcommand)}\n${USAGE}`);
    return 2;
  }
  const parsed = parseCheckRulesArgs(rest);
  if ('error' in parsed) {
    process.stderr.write(`vigil: error: ${parsed.error}\n`);
    return 1;
  }
  for (const w of parsed.warnings) console.log(w);
  return checkRules(
    parsed.files,
    (line) => console.log(line),
    (line) => console.error(line),
    parsed.options,
  );
};

const main = async (args: readonly string[]): Promise<number> => {
  const [command, ...rest] = args;
  switch (command) {
    case 'rules':
      return rules(rest);
    case 'drift':
      return runDrift(
        rest,
        (line) => console.log(line),
        (line) => console.error(line),
      );
    case 'cost':
      return cost(rest, { out: (line) => console.log(line), err: (line) => console.error(line) });
    case 'repair':
      return repair(rest, { out: (line) => console.log(line), err: (line) => console.error(line) });
    case 'doctor':
      return doctor({ out: (line) => console.log(line) });
    case 'logs':
      return logs(rest, { out: (line) => console.log(line), err: (line) => console.error(line) });
    case 'gpu-agent-config': {
      const parsed = parseGpuAgentConfigArgs(rest);
      if ('error' in parsed) {
        process.stderr.write(`vigil: error: ${parsed.error}\n`);
        return 2;
      }
      return gpuAgentConfig({
        ...parsed,
        out: (text) => process.stdout.write(text),
        err: (line) => console.error(line),
      });
    }
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`vigil: unknown command ${JSON.stringify(command)}\n${USAGE}`);
      return 2;
  }
};

// A bad config any command reads is one line per problem, not a stack trace.
process.exitCode = await orExitOnConfigError(() => main(process.argv.slice(2)));
