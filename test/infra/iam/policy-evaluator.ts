/**
 * A small IAM policy evaluator, offline, over the policy documents of a synthesized template.
 * It implements the parts of the policy language Vigil's template uses and refuses the rest
 * (an unknown condition operator throws, so an unsupported policy can never pass silently):
 *
 * - `Effect` Allow/Deny, an explicit Deny wins over any Allow, no match is an implicit deny;
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 * - `Action` / `NotAction`, case-insensitive, with `*` and `?` wildcards;
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
 * - `Resource` / `NotResource`, case-sensitive ARNs with `*` and `?`;
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
 * - `Principal` of resource policies: `*`, `{ AWS }` (ARNs, account ids, `*`), `{ Service }`;
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
 * - `Condition` operators StringEquals, StringNotEquals, StringLike, StringNotLike, ArnEquals,
 *   ArnLike, ArnNotEquals, ArnNotLike, Bool; a key missing from the request fails the condition
 *   (no `...IfExists` operators are used).
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 */

/** One statement of a policy document, as CloudFormation holds it (values already resolved). */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Principal?: '*' | Readonly<Record<string, string | readonly string[]>>;
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** Who asks: an IAM role (its ARN and account) or an AWS service principal. */
export type RequestPrincipal =
  | { readonly kind: 'role'; readonly arn: string; readonly account: string }
  | { readonly kind: 'service'; readonly service: string };

/** One request to authorize. */
export interface AuthRequest {
  /** `service:Action`, e.g. `timestream:WriteRecords`. */
  readonly action: string;
  /** The ARN of the resource (or `*` for actions without a resource type). */
  readonly resource: string;
  /** Needed for resource policies only. */
  readonly principal?: RequestPrincipal;
  /** Global and service condition keys of the request, e.g. `aws:SecureTransport`. */
  readonly context?: Readonly<Record<string, string | boolean | readonly string[]>>;
}

export type Decision = 'allow' | 'explicit-deny' | 'implicit-deny';

const listOf = <T>(v: T | readonly T[] | undefined): readonly T[] =>
  v === undefined ? [] : Array.isArray(v) ? (v as readonly T[]) : [v as T];

const escapeRe = (s: string): string => s.replace(/[.+^${}()|[\]\\/]/g, '\\$&');

/**
 * IAM's wildcard match: `*` any run of characters, `?` any one character, the rest literal.
 * @param pattern - a policy value
 * @param value - a request value
 * @param ignoreCase - true for actions
 */
const wildcardMatch = (pattern: string, value: string, ignoreCase = false): boolean => {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : escapeRe(c)))
    .join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
};

const matchesAction = (statement: PolicyStatement, action: string): boolean => {
  if (statement.Action !== undefined)
    return listOf(statement.Action).some((p) => wildcardMatch(p, action, true));
  if (statement.NotAction !== undefined)
    return !listOf(statement.NotAction).some((p) => wildcardMatch(p, action, true));
  return false;
};

const matchesResource = (statement: PolicyStatement, resource: string): boolean => {
  // Resource policies may omit Resource (e.g. SNS/SQS policies always name it; a key policy uses "*").
  if (statement.Resource !== undefined)
    return listOf(statement.Resource).some((p) => wildcardMatch(p, resource));
  if (statement.NotResource !== undefined)
    return !listOf(statement.NotResource).some((p) => wildcardMatch(p, resource));
  return false;
};

const ACCOUNT_ID = /^\d{12}$/;

const matchesPrincipal = (
  statement: PolicyStatement,
  principal: RequestPrincipal | undefined,
): boolean => {
  // Identity policies have no Principal: the role they are attached to is the principal.
  if (statement.Principal === undefined) return true;
  if (principal === undefined) return false;
  if (statement.Principal === '*') return true;
  if (principal.kind === 'service')
    return listOf(statement.Principal.Service).includes(principal.service);
  return listOf(statement.Principal.AWS).some(
    (p) =>
      p === '*' ||
      p === principal.arn ||
      // An account id or the account's root ARN stands for every principal of the account.
      (ACCOUNT_ID.test(p) && p === principal.account) ||
      p === `arn:aws:iam::${principal.account}:root`,
  );
};

type ConditionTest = (expected: string, actual: string) => boolean;

const CONDITION_OPERATORS: Readonly<Record<string, { test: ConditionTest; negated: boolean }>> = {
  StringEquals: { test: (e, a) => e === a, negated: false },
  StringNotEquals: { test: (e, a) => e === a, negated: true },
  StringLike: { test: (e, a) => wildcardMatch(e, a), negated: false },
  StringNotLike: { test: (e, a) => wildcardMatch(e, a), negated: true },
  ArnEquals: { test: (e, a) => wildcardMatch(e, a), negated: false },
  ArnLike: { test: (e, a) => wildcardMatch(e, a), negated: false },
  ArnNotEquals: { test: (e, a) => wildcardMatch(e, a), negated: true },
  ArnNotLike: { test: (e, a) => wildcardMatch(e, a), negated: true },
  Bool: { test: (e, a) => e.toLowerCase() === a.toLowerCase(), negated: false },
};

/** True when every operator and key of the condition block holds for the request. */
const matchesCondition = (statement: PolicyStatement, request: AuthRequest): boolean =>
  Object.entries(statement.Condition ?? {}).every(([operator, keys]) => {
    const op = CONDITION_OPERATORS[operator];
    if (!op) throw new Error(`policy evaluator: condition operator ${operator} is not supported`);
    return Object.entries(keys).every(([key, expected]) => {
      // Condition keys are case-insensitive.
      const found = Object.entries(request.context ?? {}).find(
        ([k]) => k.toLowerCase() === key.toLowerCase(),
      );
      if (found === undefined) return op.negated;
      const actual = listOf(found[1]).map(String);
      const values = listOf(expected as string | readonly string[]).map(String);
      const any = values.some((e) => actual.some((a) => op.test(e, a)));
      return op.negated ? !any : any;
    });
  });

/** Whether one statement applies to the request (its effect aside). */
const statementApplies = (statement: PolicyStatement, request: AuthRequest): boolean =>
  matchesAction(statement, request.action) &&
  matchesResource(statement, request.resource) &&
  matchesPrincipal(statement, request.principal) &&
  matchesCondition(statement, request);

/**
 * The decision of a set of statements for a request: explicit deny, allow, or implicit deny.
 * @param statements - every statement that applies to the principal (identity policies of a
 *   role, or one resource policy)
 * @param request - the request
 */
const evaluate = (statements: readonly PolicyStatement[], request: AuthRequest): Decision => {
  let allowed = false;
  for (const s of statements) {
    if (!statementApplies(s, request)) continue;
    if (s.Effect === 'Deny') return 'explicit-deny';
    allowed = true;
  }
  return allowed ? 'allow' : 'implicit-deny';
};

export { evaluate, statementApplies, wildcardMatch };
