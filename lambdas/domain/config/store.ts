/**
 * Where samples live (design.md "Data model"): Timestream for LiveAnalytics (Vigil's PromQL engine
 * over raw samples) or Amazon Managed Service for Prometheus (PromQL pushed down to AMP).
 */
export const STORE_KINDS = ['timestream', 'amp'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

/**
 * Pattern of a workspace ARN, from the AMP API reference (`WorkspaceSummary.arn`); the capture
 * is the workspace id.
 * https://docs.aws.amazon.com/prometheus/latest/APIReference/API_WorkspaceSummary.html
 */
export const WORKSPACE_ARN_RE =
  /^arn:aws[-a-z]*:aps:[-a-z0-9]+:[0-9]{12}:workspace\/([0-9A-Za-z][-.0-9A-Z_a-z]{0,63})$/;

/** The workspace id of a workspace ARN, or undefined when `arn` is not one. */
export const workspaceIdOf = (arn: string): string | undefined => WORKSPACE_ARN_RE.exec(arn)?.[1];
