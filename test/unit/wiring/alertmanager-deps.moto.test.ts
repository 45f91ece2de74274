/**
 * The deployed evaluator's Alertmanager credentials, read for real: a Secrets Manager secret and
 * an SSM SecureString parameter in moto's servers, read through the readers the function uses,
 * sent as basic auth and a bearer token to an Alertmanager stand-in.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { AlertInput } from '../../../lambdas/domain/alerting/types';
import { alertmanagerSender } from '../../../lambdas/wiring/alertmanager-deps';
import { awsCredentialReaders } from '../../../lambdas/wiring/aws-credentials';
import { validateAlertingConfig } from '../../../lambdas/domain/alerting/config';
import { type Moto, startMoto } from '../../helpers/moto';

const ENV_KEYS = ['AWS_ENDPOINT_URL', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'];

let moto: Moto;
let server: Server;
let base = '';
const received: IncomingHttpHeaders[] = [];
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  moto = await startMoto();
  for (const k of ENV_KEYS) saved[k] = process.env[k];
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
  });
  await new SecretsManagerClient({}).send(
    new CreateSecretCommand({ Name: 'vigil/alertmanager', SecretString: 's3cret\n' }),
  );
  await new SSMClient({}).send(
    new PutParameterCommand({
      Name: '/vigil/alertmanager-token',
      Value: 'tok-123',
      Type: 'SecureString',
    }),
  );
  server = createServer((req, res) => {
    received.push(req.headers);
    req.resume().on('end', () => res.writeHead(200).end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 30_000);

afterAll(async () => {
  moto.stop();
  for (const k of ENV_KEYS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  await new Promise<void>((r) => server.close(() => r()));
});

const alert: AlertInput = {
  labels: { alertname: 'GpuTooHot' },
  annotations: {},
  startsAtMs: Date.UTC(2026, 11, 6, 17),
  endsAtMs: Date.UTC(2026, 11, 6, 17, 4),
  generatorURL: '',
};

describe('Function: alertmanagerSender with awsCredentialReaders (moto)', () => {
  it('sends the secret as the basic-auth password and the parameter as a bearer token', async () => {
    // Prepare
    const { config } = validateAlertingConfig({
      alertmanagers: [
        {
          url: `${base}/a`,
          basic_auth: { username: 'vigil', password_secret: 'vigil/alertmanager' },
        },
        { url: `${base}/b`, authorization: { credentials_parameter: '/vigil/alertmanager-token' } },
      ],
    });
    const sender = alertmanagerSender({ readers: awsCredentialReaders() });

    // Act
    const summary = await sender.send(config.alertmanagers, [alert]);

    // Assess
    expect(summary).toEqual({ alertsSent: 2, alertsFailed: 0 });
    expect(received.map((h) => h.authorization).sort()).toEqual([
      `Basic ${Buffer.from('vigil:s3cret').toString('base64')}`,
      'Bearer tok-123',
    ]);
    expect(received[0]?.['user-agent']).toMatch(/^Vigil\//);
  });
});
