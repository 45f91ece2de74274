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

/** Pattern of an AWS region name (`eu-west-1`, `us-gov-west-1`). */
export const REGION_RE = /^[a-z]{2}(-[a-z]+)+-[0-9]+$/;

/** An AMP workspace endpoint as local mode uses it: its URL (no trailing slash) and region. */
export interface AmpEndpoint {
  readonly url: string;
  readonly region: string;
}

/**
 * Where local mode sends `store: amp` requests: `amp.endpoint`, else the URL of
 * `amp.workspaceArn` (https://docs.aws.amazon.com/prometheus/latest/userguide/AMP-onboard-ingest-metrics-remote-write.html),
 * signed for `amp.region`, else the ARN's region, else the endpoint host's, else `envRegion`.
 * Returns the reason instead when neither a URL nor a region can be found.
 */
export const ampEndpointOf = (
  amp: { readonly workspaceArn?: string; readonly endpoint?: string; readonly region?: string },
  envRegion: string | undefined,
): AmpEndpoint | { readonly error: { readonly path: string; readonly message: string } } => {
  const arnParts = amp.workspaceArn?.split(':');
  const arnRegion = arnParts?.[3];
  const id = amp.workspaceArn ? workspaceIdOf(amp.workspaceArn) : undefined;
  const url =
    amp.endpoint?.replace(/\/+$/, '') ??
    (id && arnRegion ? `https://aps-workspaces.${arnRegion}.amazonaws.com/workspaces/${id}` : '');
  if (url === '') {
    return {
      error: {
        path: 'amp.endpoint',
        message:
          'is required with store: amp in local mode (the workspace URL), unless amp.workspaceArn is set',
      },
    };
  }
  const hostRegion = /^https:\/\/aps-workspaces\.([-a-z0-9]+)\.amazonaws\.com\//.exec(url)?.[1];
  const region = amp.region ?? arnRegion ?? hostRegion ?? envRegion ?? '';
  if (!REGION_RE.test(region)) {
    return {
      error: {
        path: 'amp.region',
        message: `is required with store: amp in local mode when the endpoint does not name it (or set AWS_REGION; got ${JSON.stringify(region)})`,
      },
    };
  }
  return { url, region };
};
