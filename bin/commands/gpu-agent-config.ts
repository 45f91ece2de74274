import { ConfigError } from '../../lambdas/domain/config/validate';
import { agentConfigJson } from '../../lambdas/domain/gpu/agent-config';
import { loadConfigFile } from '../../lambdas/shared/config-file';

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

/** Parses `[--config <file>]` / `[--config=<file>]`. */
const parseGpuAgentConfigArgs = (
  args: readonly string[],
): { configFile?: string } | { error: string } => {
  let configFile: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--config') {
      const next = args[i + 1];
      if (next === undefined) return { error: '--config needs a file name' };
      configFile = next;
      i++;
    } else if (a.startsWith('--config=')) configFile = a.slice('--config='.length);
    else return { error: `unexpected argument ${JSON.stringify(a)}` };
  }
  return configFile === undefined ? {} : { configFile };
};

export { gpuAgentConfig, parseGpuAgentConfigArgs };
