/** The `vigil` command line: one subcommand per file under bin/commands/, each returning an exit code. */
import { doctor } from './commands/doctor';

const USAGE = `usage: vigil <command>

commands:
  doctor    check that this AWS account can use Amazon Timestream for LiveAnalytics (needs AWS credentials)
`;

const main = async (args: readonly string[]): Promise<number> => {
  const [command] = args;
  switch (command) {
    case 'doctor':
      return doctor({ out: (line) => console.log(line) });
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

process.exitCode = await main(process.argv.slice(2));
