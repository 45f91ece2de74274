import { Template } from 'aws-cdk-lib/assertions';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { toRetentionDays } from '../../lib/constructs/vigil-function';
import { Vigil } from '../../lib/vigil';
import { bareStack, INLINE_CODE } from './helpers';
import { TEST_CONFIG } from './test-config';

describe('Construct: Vigil', () => {
  describe("in a user's own stack, with no clients and no API Gateway logging role", () => {
    // Prepare
    const stack = bareStack();
    const vigil = new Vigil(stack, 'Monitoring', {
      config: { ...TEST_CONFIG, api: { clients: [] } },
      apiGatewayCloudWatchRole: false,
      functionCode: INLINE_CODE,
    });
    const template = Template.fromStack(stack);

    it('creates no API key and no usage plan', () => {
      // Assess
      template.resourceCountIs('AWS::ApiGateway::ApiKey', 0);
      template.resourceCountIs('AWS::ApiGateway::UsagePlan', 0);
      expect(vigil.ingestApi.clientKeys).toEqual([]);
    });

    it('leaves the account-wide API Gateway logging role alone', () => {
      // Assess
      template.resourceCountIs('AWS::ApiGateway::Account', 0);
    });

    it('exposes its functions by role', () => {
      // Assess
      expect(Object.keys(vigil.functions).sort()).toEqual(
        [
          'alerts',
          'authorizer',
          'health',
          'ingestLogs',
          'ingestLoki',
          'ingestOtlpLogs',
          'ingestOtlpMetrics',
          'ingestMetrics',
          'ingestPushgateway',
          'ingestRemoteWrite',
          'query',
          'readSeries',
        ].sort(),
      );
    });
  });

  it('uses a key it is given instead of creating one', () => {
    // Prepare
    const stack = bareStack();
    const other = new Vigil(stack, 'First', { config: TEST_CONFIG, functionCode: INLINE_CODE });

    // Act
    new Vigil(stack, 'Second', {
      config: {
        ...TEST_CONFIG,
        project: 'second',
        timestream: { ...TEST_CONFIG.timestream, database: 'vigil-second' },
      },
      encryptionKey: other.encryptionKey,
      apiGatewayCloudWatchRole: false,
      functionCode: Code.fromInline('export const handler = async () => ({});'),
    });

    // Assess: one data key; each Vigil's alert topics have their own key (CloudWatch may use it)
    const keys = Object.values(Template.fromStack(stack).findResources('AWS::KMS::Key'));
    const dataKeys = keys.filter((k) => !/alert topics/.test(k.Properties.Description));
    expect(dataKeys).toHaveLength(1);
  });

  it('refuses a log retention CloudWatch Logs does not offer', () => {
    // Prepare
    const stack = bareStack();

    // Act & Assess
    expect(
      () =>
        new Vigil(stack, 'Monitoring', {
          config: { ...TEST_CONFIG, logRetentionDays: 31 },
          functionCode: INLINE_CODE,
        }),
    ).toThrow(
      /logRetentionDays 31 is not a CloudWatch Logs retention; use one of 1, 3, 5, 7, 14, 30/,
    );
  });
});

describe('Function: toRetentionDays', () => {
  it.each([1, 14, 30, 365, 3653])('accepts %i days', (days) => {
    // Act & Assess
    expect(toRetentionDays(days)).toBe(days);
  });
});
