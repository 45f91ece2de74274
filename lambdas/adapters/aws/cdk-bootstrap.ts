/**
 * Is the environment (account + region) bootstrapped for the CDK? `cdk bootstrap` deploys the
 * `CDKToolkit` stack, which writes its template version to the SSM parameter
 * `/cdk-bootstrap/<qualifier>/version` (qualifier `hnb659fds` unless customized); every
 * synthesized template checks that parameter before deploying, and `cdk deploy` stops with "SSM
 * parameter /cdk-bootstrap/hnb659fds/version not found. Has the environment been bootstrapped?"
 * when it is missing.
 * https://docs.aws.amazon.com/cdk/v2/guide/bootstrapping-env.html
 */
import { GetParameterCommand, SSMClient, type SSMClientConfig } from '@aws-sdk/client-ssm';
import { CREDENTIAL_ERRORS, errorParts, IAM_DENIAL_RE } from './aws-errors';

/** The CDK's default bootstrap qualifier. */
const DEFAULT_QUALIFIER = 'hnb659fds';

/**
 * The oldest bootstrap version the templates of this aws-cdk-lib accept: their
 * `CheckBootstrapVersion` rule refuses versions 1 to 5 (test/infra checks the rule).
 */
const MIN_BOOTSTRAP_VERSION = 6;

/** Name of the SSM parameter holding the bootstrap version for a qualifier. */
const bootstrapVersionParameter = (qualifier: string = DEFAULT_QUALIFIER): string =>
  `/cdk-bootstrap/${qualifier}/version`;

type CdkBootstrapStatus =
  | { readonly status: 'bootstrapped'; readonly version: number; readonly parameter: string }
  | { readonly status: 'too-old'; readonly version: number; readonly parameter: string }
  | { readonly status: 'missing'; readonly parameter: string }
  | {
      readonly status: 'not-permitted' | 'not-configured' | 'failed';
      readonly parameter: string;
      readonly message: string;
    };

interface CdkBootstrapOptions {
  /** @default a new `SSMClient(clientConfig)` */
  readonly client?: SSMClient;
  /** @default {} */
  readonly clientConfig?: SSMClientConfig;
  /** @default 'hnb659fds' */
  readonly qualifier?: string;
}

/** Reads the bootstrap version parameter. Never throws: every failure is a result. */
const checkCdkBootstrap = async (
  options: CdkBootstrapOptions = {},
): Promise<CdkBootstrapStatus> => {
  const client = options.client ?? new SSMClient(options.clientConfig ?? {});
  const parameter = bootstrapVersionParameter(options.qualifier);
  try {
    const out = await client.send(new GetParameterCommand({ Name: parameter }));
    const version = Number(out.Parameter?.Value);
    if (!Number.isInteger(version))
      return {
        status: 'failed',
        parameter,
        message: `${parameter} holds ${JSON.stringify(out.Parameter?.Value)}, not a version number`,
      };
    return version >= MIN_BOOTSTRAP_VERSION
      ? { status: 'bootstrapped', version, parameter }
      : { status: 'too-old', version, parameter };
  } catch (error) {
    const { name, message } = errorParts(error);
    if (name === 'ParameterNotFound') return { status: 'missing', parameter };
    if (CREDENTIAL_ERRORS.has(name)) return { status: 'not-configured', parameter, message };
    if (name === 'AccessDeniedException' || IAM_DENIAL_RE.test(message))
      return { status: 'not-permitted', parameter, message };
    return { status: 'failed', parameter, message: `${name}: ${message}` };
  }
};

export type { CdkBootstrapOptions, CdkBootstrapStatus };
export { bootstrapVersionParameter, checkCdkBootstrap, DEFAULT_QUALIFIER, MIN_BOOTSTRAP_VERSION };
