/**
 * End to end: a push shaped as the Go client sends it (delimited protobuf) goes to `npm start` and
 * to Debian's prometheus-pushgateway 1.5.1; what the Pushgateway then exposes for Prometheus to
 * scrape and what Vigil's query API returns must be the same series with the same values.
 */
import { familiesToSeries, parseExposition } from '../../lambdas/domain/exposition';
import {
  encodeDelimited,
  GO_BATCH_JOB_SAMPLES,
  GO_PUSH_CONTENT_TYPE,
  goBatchJobFamilies,
} from '../helpers/go-push-client';
import {
  freePort,
  instantQuery,
  type ManagedChild,
  makeTmpDir,
  removeDir,
  startChild,
  startVigil,
  type VigilProcess,
  waitFor,
} from './helpers/vigil-process';

const PUSHGATEWAY = '/usr/bin/prometheus-pushgateway';
const PATH = `/metrics/job/go-batch/instance@base64/${Buffer.from('pod/7').toString('base64url')}`;

const text = (labels: Record<string, string>): string => {
  const { __name__: name, ...rest } = labels;
  const pairs = Object.entries(rest)
    .filter(([k]) => k !== 'job' && k !== 'instance')
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return pairs.length === 0 ? String(name) : `${name}{${pairs.join(',')}}`;
};

const sorted = (samples: [string, number][]) => [...samples].sort(([a], [b]) => a.localeCompare(b));

describe('Go client protobuf push: Vigil against prometheus-pushgateway 1.5.1', () => {
  let dataDir: string;
  let vigil: VigilProcess;
  let gateway: ManagedChild;
  let gatewayUrl: string;

  beforeAll(async () => {
    dataDir = makeTmpDir('go-push');
    vigil = await startVigil({ dataDir });
    const port = await freePort();
    gatewayUrl = `http://127.0.0.1:${port}`;
    gateway = startChild(
      PUSHGATEWAY,
      [`--web.listen-address=127.0.0.1:${port}`, '--persistence.file='],
      {},
    );
    await waitFor('the Pushgateway to answer', async () => {
      const res = await fetch(`${gatewayUrl}/-/ready`);
      return res.status === 200 ? true : undefined;
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    await vigil?.stop();
    removeDir(dataDir);
  });

  const put = (base: string, body: Uint8Array, path = PATH) =>
    fetch(`${base}${path}`, {
      method: 'PUT',
      body,
      headers: { 'Content-Type': GO_PUSH_CONTENT_TYPE },
    });

  it('stores the same series and values the Pushgateway exposes', async () => {
    // Prepare
    const body = encodeDelimited(goBatchJobFamilies());

    // Act
    const [toGateway, toVigil] = await Promise.all([put(gatewayUrl, body), put(vigil.url, body)]);
    const exposed = await (await fetch(`${gatewayUrl}/metrics`)).text();
    const fromVigil = await instantQuery(vigil, '{job="go-batch",instance="pod/7"}');

    // Assess
    expect([toGateway.status, toVigil.status]).toEqual([200, 200]);
    const gatewaySamples = familiesToSeries(parseExposition(exposed), { defaultTimestampMs: 0 })
      .filter((s) => s.labels.job === 'go-batch' && s.labels.instance === 'pod/7')
      .filter((s) => !String(s.labels.__name__).startsWith('push_'))
      .map((s): [string, number] => [text(s.labels), s.value]);
    const vigilSamples = fromVigil
      .filter(([labels]) => !String(labels.__name__).startsWith('push_'))
      .map(([labels, v]): [string, number] => [text(labels), v]);
    // The Pushgateway's text has le="10", which Prometheus 3 stores as "10.0" (as parsed here).
    const vigilAsScraped = vigilSamples.map(([s, v]): [string, number] => [
      s.replace('le="10"', 'le="10.0"'),
      v,
    ]);
    expect(sorted(vigilAsScraped)).toEqual(sorted(gatewaySamples));
    expect(sorted(vigilSamples)).toEqual(sorted([...GO_BATCH_JOB_SAMPLES]));
  });

  it.each<[string, Uint8Array]>([
    ['a truncated body', encodeDelimited(goBatchJobFamilies()).subarray(0, 40)],
    ['a length prefix past the end', Buffer.from([0x7f, 0x0a])],
    [
      'a sample with a timestamp',
      encodeDelimited([
        { name: 'x', type: 1, metric: [{ gauge: { value: 1 }, timestampMs: 1_700_000_000_000 }] },
      ]),
    ],
    [
      'a counter family holding a gauge',
      encodeDelimited([{ name: 'jobs_total', type: 0, metric: [{ gauge: { value: 1 } }] }]),
    ],
  ])('answers 400 for %s, as the Pushgateway does', async (_what, body) => {
    // Act
    const [toGateway, toVigil] = await Promise.all([
      put(gatewayUrl, body, '/metrics/job/bad'),
      put(vigil.url, body, '/metrics/job/bad'),
    ]);

    // Assess
    expect([toGateway.status, toVigil.status]).toEqual([400, 400]);
  });
});
