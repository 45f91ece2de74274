/**
 * The IAM coverage check records SDK calls by mocking the clients; the AMP adapters send signed
 * HTTP requests instead (`createSigV4Fetch`). This stands in for the workspace endpoints: a
 * `fetch` that records each request to `aps-workspaces.<region>.amazonaws.com` as a call of the
 * IAM action that authorizes it, answers it as AMP would on an empty workspace, and passes every
 * other request to the real `fetch` (the local stand-ins for Slack and PagerDuty).
 * https://docs.aws.amazon.com/prometheus/latest/userguide/AMP-APIReference-Prometheus-Compatible-Apis.html
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonmanagedserviceforprometheus.html
 */
import type { RecordedCall } from './fake-aws';

/** The `client` of a recorded AMP HTTP call. */
export const AMP_HTTP_CLIENT = 'AmpWorkspaceHttp';

const HOST_RE = /^aps-workspaces\.([a-z0-9-]+)\.amazonaws\.com$/;
const PATH_RE = /^\/workspaces\/([^/]+)\/api\/v1\/(.+)$/;

/** The IAM action of a workspace API path (after `/api/v1/`), and AMP's answer on no data. */
const actionOf = (api: string): { action: string; answer: () => Response } | undefined => {
  const json = (data: unknown) => () =>
    new Response(JSON.stringify({ status: 'success', data }), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  if (api === 'remote_write')
    return { action: 'RemoteWrite', answer: () => new Response(null, { status: 200 }) };
  if (api === 'query')
    return { action: 'QueryMetrics', answer: json({ resultType: 'vector', result: [] }) };
  if (api === 'query_range')
    return { action: 'QueryMetrics', answer: json({ resultType: 'matrix', result: [] }) };
  if (api === 'series') return { action: 'GetSeries', answer: json([]) };
  if (api === 'labels' || /^label\/[^/]+\/values$/.test(api))
    return { action: 'GetLabels', answer: json([]) };
  if (api === 'metadata') return { action: 'GetMetricMetadata', answer: json({}) };
  return undefined;
};

/** A `fetch` recording AMP workspace requests into `calls`; others go to `real`. */
export const recordingAmpFetch =
  (calls: RecordedCall[], real: typeof fetch): typeof fetch =>
  async (input, init) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    const region = HOST_RE.exec(url.hostname)?.[1];
    if (!region) return real(input, init);
    const [, workspaceId, api] = PATH_RE.exec(url.pathname) ?? [];
    const known = api ? actionOf(api) : undefined;
    if (!workspaceId || !api || !known) {
      throw new Error(`IAM coverage: no IAM action known for AMP request ${url.pathname}`);
    }
    const headers = new Headers(init?.headers);
    if (
      !/^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[a-z0-9-]+\/aps\/aws4_request/.test(
        headers.get('authorization') ?? '',
      )
    ) {
      throw new Error(`IAM coverage: AMP request ${url.pathname} is not SigV4-signed for aps`);
    }
    calls.push({
      client: AMP_HTTP_CLIENT,
      command: known.action,
      input: { region, workspaceId, api },
    });
    return known.answer();
  };
