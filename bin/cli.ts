/**
 * The `vigil` command line: one subcommand per file under bin/commands/, each returning an exit
 * code (docs/cli.md). A command's module is imported only when it runs, so `vigil --help` and
 * the local commands load neither the AWS SDK nor each other's code.
 */
import { ConfigError } from '../lambdas/domain/config/issues';
import { loadRegexEngine } from '../lambdas/domain/regex/re2';
import { VIGIL_VERSION } from '../lambdas/shared/version';
import { ExitCode } from './cli-args';

const out = (line: string) => console.log(line);
const err = (line: string) => console.error(line);
const io = { out, err };

const USAGE = `usage: vigil <command> [flags]
       vigil <command> --help     the command's flags
       vigil --version

commands:
  rules check <files...>   check Prometheus rule files like \`promtool check rules\`
  rules test <files...>    run rule unit-test files like \`promtool test rules\`
  drift                    compare two CSV files column by column with drift statistics
  drift baseline           cut a baseline CSV for a drift monitor from stored prediction events
  logs                     read structured log events back (local data, or --remote on AWS)
  cost                     monthly AWS bill on each store (Timestream, AMP) and the store to choose
  doctor                   check before deploying: config, AWS credentials, bootstrap, quotas
  gpu-agent-config         print the CloudWatch agent configuration the stack stores in SSM
  grafana                  write Grafana provisioning files: Vigil data source and dashboards
  repair                   repair the damaged files of a local data directory

exit codes: 0 ok, 1 failure or findings, 2 usage error (\`rules\` keeps promtool's: docs/cli.md)`;

const RULES_USAGE = `usage: vigil rules check [--lint=…] [--lint-fatal] <rule-files>...
       vigil rules test <test-rule-files>...
(\`vigil rules check --help\`, \`vigil rules test --help\`)`;

/** Each command: what runs it, its module imported only then. */
const COMMANDS: Readonly<Record<string, (args: readonly string[]) => Promise<number>>> = {
  rules: async ([subcommand, ...rest]) => {
    if (subcommand === 'check') {
      return (await import('./commands/check-rules')).runCheckRules(rest, out, err);
    }
    if (subcommand === 'test') {
      return (await import('./commands/test-rules')).runTestRules(rest, out, err);
    }
    if (subcommand === '--help' || subcommand === '-h') {
      out(RULES_USAGE);
      return ExitCode.Ok;
    }
    err(
      subcommand === undefined
        ? 'vigil: error: rules needs a command: check or test'
        : `vigil: error: unknown rules command ${JSON.stringify(subcommand)}`,
    );
    err(RULES_USAGE);
    // promtool's exit code for a usage error.
    return 1;
  },
  drift: async (args) => (await import('./commands/drift')).runDrift(args, out, err),
  logs: async (args) => (await import('./commands/logs')).logs(args, io),
  cost: async (args) => (await import('./commands/cost')).cost(args, io),
  doctor: async (args) => (await import('./commands/doctor')).runDoctor(args, io),
  'gpu-agent-config': async (args) =>
    (await import('./commands/gpu-agent-config')).runGpuAgentConfig(args, {
      out: (text) => process.stdout.write(text),
      err,
    }),
  repair: async (args) => (await import('./commands/repair')).repair(args, io),
  grafana: async (args) => (await import('./commands/grafana')).runGrafana(args, io),
};

const main = async (args: readonly string[]): Promise<number> => {
  const [command, ...rest] = args;
  switch (command) {
    case '-h':
    case '--help':
      out(USAGE);
      return ExitCode.Ok;
    case '--version':
      out(`vigil, version ${VIGIL_VERSION} (node ${process.version})`);
      return ExitCode.Ok;
    case 'help': {
      // `vigil help <command>` is `vigil <command> --help`.
      const [topic, ...sub] = rest;
      if (topic === undefined) {
        out(USAGE);
        return ExitCode.Ok;
      }
      return main([topic, ...sub, '--help']);
    }
    case undefined:
      err(USAGE);
      return ExitCode.Usage;
  }
  const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (run === undefined) {
    err(`vigil: error: unknown command ${JSON.stringify(command)}`);
    err(USAGE);
    return ExitCode.Usage;
  }
  // Rule files, queries and configs compile regexes synchronously; help needs none.
  if (!rest.some((a) => a === '--help' || a === '-h')) await loadRegexEngine();
  return run(rest);
};

// A bad config any command reads is one line per problem, not a stack trace.
process.exitCode = await main(process.argv.slice(2)).catch((error: unknown) => {
  if (!(error instanceof ConfigError)) throw error;
  err(error.message);
  return ExitCode.Failure;
});
