import { ConfigError } from '../../lambdas/domain/config/validate';
import { agentConfigJson } from '../../lambdas/domain/gpu/agent-config';
import { loadConfigFile } from '../../lambdas/shared/config-file';
import { ExitCode, HELP_FLAG, parseFlags } from '../cli-args';

interface GpuAgentConfigIo {
  readonly out: (text: string) => void;
  readonly err: (line: string) => void;
  /** `--config <file>`; @default `$VIGIL_CONFIG` or ./vigil.config.yaml (defaults when absent) */
  readonly configFile?: string;
}

/**
 * `vigil gpu-agent-config [--config <file>]`: prints the CloudWatch agent configuration the stack
 * stores in SSM (`AmazonCloudWatch-vigil-<project>-gpu`), indented, for instances outside the
 * State Manager associations (write it to
 * /opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json and run
 * `amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -c file:<path> -s`).
 * Exit 0, or 1 when the config file is invalid.
 */
const gpuAgentConfig = (io: GpuAgentConfigIo): number => {
  try {
    const { config } = loadConfigFile(io.configFile);
    io.out(`${agentConfigJson(config.gpu, 2)}\n`);
    return 0;
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(err.message);
      return 1;
    }
    throw err;
  }
};

const USAGE = `usage: vigil gpu-agent-config [--config <file>]

Prints the CloudWatch agent configuration (nvidia_gpu, cpu, mem, disk) the stack stores in SSM,
for instances outside its State Manager associations.

  --config <file>   the Vigil config (default $VIGIL_CONFIG, else ./vigil.config.yaml)

exit codes: 0 printed, 1 invalid config, 2 usage error`;

/** Parses `[--config <file>]` / `[--config=<file>]`. */
const parseGpuAgentConfigArgs = (
  args: readonly string[],
): { configFile?: string } | { help: true } | { error: string } => {
  const parsed = parseFlags(args, { ...HELP_FLAG, config: { type: 'string' } });
  if ('error' in parsed) {
    return { error: parsed.error.replace('--config needs a value', '--config needs a file name') };
  }
  if (parsed.values.help === true) return { help: true };
  const configFile = parsed.values.config;
  if (configFile === '') return { error: '--config needs a file name' };
  return configFile === undefined ? {} : { configFile };
};

/** `vigil gpu-agent-config <args>`: parses the flags, then prints; returns the exit code. */
const runGpuAgentConfig = (args: readonly string[], io: Omit<GpuAgentConfigIo, 'configFile'>) => {
  const parsed = parseGpuAgentConfigArgs(args);
  if ('help' in parsed) {
    io.out(`${USAGE}\n`);
    return ExitCode.Ok;
  }
  if ('error' in parsed) {
    io.err(`vigil gpu-agent-config: ${parsed.error}`);
    io.err(USAGE);
    return ExitCode.Usage;
  }
  return gpuAgentConfig({ ...io, ...parsed });
};

export { gpuAgentConfig, parseGpuAgentConfigArgs, runGpuAgentConfig };
