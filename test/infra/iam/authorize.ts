import {
  type AuthRequest,
  type Decision,
  evaluate,
  type PolicyStatement,
} from './policy-evaluator';

/** The account and region every test stack is synthesized in. */
export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';

/**
 * A request context as AWS sets it for Vigil's calls: over TLS (the SDK uses HTTPS), from
 * this account.
 */
export const baseContext = (
  extra: Readonly<Record<string, string | boolean>> = {},
): AuthRequest['context'] => ({ 'aws:SecureTransport': true, ...extra });

export interface RoleRequest {
  /** Statements of the role's identity policies (inline, attached, managed). */
  readonly identity: readonly PolicyStatement[];
  /** The resource's policy (topic, queue, key policy), when it has one. */
  readonly resourcePolicy?: readonly PolicyStatement[];
  readonly roleArn: string;
  readonly action: string;
  readonly resource: string;
}

/**
 * A role's request to a resource of its own account.
 *
 * - Any explicit Deny (identity or resource policy) wins.
 * - KMS: the key policy decides. A statement naming the role allows on its own; a statement for
 *   the account (`arn:aws:iam::<account>:root`) delegates to IAM, so the role's identity
 *   policies must allow too; without either, IAM policies have no effect.
 *   https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam
 * - Every other service: within one account, an Allow in the identity policies or in the
 *   resource policy is enough.
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
const authorizeRole = (r: RoleRequest): Decision => {
  const request: AuthRequest = {
    action: r.action,
    resource: r.resource,
    principal: { kind: 'role', arn: r.roleArn, account: ACCOUNT },
    context: baseContext({ 'aws:PrincipalArn': r.roleArn, 'aws:PrincipalAccount': ACCOUNT }),
  };
  const identity = evaluate(r.identity, request);
  const resource = r.resourcePolicy ? evaluate(r.resourcePolicy, request) : 'implicit-deny';
  if (identity === 'explicit-deny' || resource === 'explicit-deny') return 'explicit-deny';
  if (r.action.toLowerCase().startsWith('kms:')) {
    if (!r.resourcePolicy) return 'implicit-deny';
    // The key policy with only the role itself as principal: statements for the account root drop out.
    const direct = evaluate(r.resourcePolicy, {
      ...request,
      principal: { kind: 'role', arn: r.roleArn, account: 'no-account' },
    });
    if (direct === 'allow') return 'allow';
    return resource === 'allow' && identity === 'allow' ? 'allow' : 'implicit-deny';
  }
  return identity === 'allow' || resource === 'allow' ? 'allow' : 'implicit-deny';
};

export interface ServiceRequest {
  readonly resourcePolicy: readonly PolicyStatement[] | undefined;
  /** e.g. `cloudwatch.amazonaws.com` */
  readonly service: string;
  readonly action: string;
  readonly resource: string;
  /** Condition keys the service sets, e.g. `aws:SourceArn`, `aws:SourceAccount`. */
  readonly context: Readonly<Record<string, string | boolean>>;
}

/** A service principal acting on a resource: only the resource's policy can allow it. */
const authorizeService = (r: ServiceRequest): Decision =>
  evaluate(r.resourcePolicy ?? [], {
    action: r.action,
    resource: r.resource,
    principal: { kind: 'service', service: r.service },
    context: baseContext(r.context),
  });

export { authorizeRole, authorizeService };
