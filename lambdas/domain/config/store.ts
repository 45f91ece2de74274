import type { StoreKind } from './types';

/** The sample stores `store:` accepts. */
export const STORE_KINDS: readonly StoreKind[] = ['timestream', 'amp'];

/**
 * What Vigil still lacks to run on Amazon Managed Service for Prometheus. While this list is not
 * empty, `store: amp` is refused at validation (a deployment that would write samples to a
 * workspace but evaluate queries, rules and drift elsewhere is worse than none); the workspace,
 * its IAM bindings, the S3 event store and the Pushgateway re-emission are built and tested.
 */
export const AMP_STORE_MISSING: readonly string[] = [
  'the remote_write writer to the workspace (samples are written to Timestream only)',
  'the query engine over the workspace query API (the query API, rules and drift read Timestream only)',
];

/**
 * Pattern of a workspace ARN, from the AMP API reference (`WorkspaceSummary.arn`); the capture
 * is the workspace id.
 * https://docs.aws.amazon.com/prometheus/latest/APIReference/API_WorkspaceSummary.html
 */
export const WORKSPACE_ARN_RE =
  /^arn:aws[-a-z]*:aps:[-a-z0-9]+:[0-9]{12}:workspace\/([0-9A-Za-z][-.0-9A-Z_a-z]{0,63})$/;

/** The workspace id of a workspace ARN, or undefined when `arn` is not one. */
export const workspaceIdOf = (arn: string): string | undefined => WORKSPACE_ARN_RE.exec(arn)?.[1];
