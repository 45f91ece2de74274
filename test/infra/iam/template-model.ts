import type { CfnJson } from '../helpers';
import { ACCOUNT, REGION } from './authorize';
import type { PolicyStatement } from './policy-evaluator';

/**
 * A synthesized template with every intrinsic function resolved to deterministic fake physical
 * names and ARNs (account 123456789012, eu-west-1), as CloudFormation would resolve them: a
 * resource's physical name is its logical id unless its properties name it.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
 */
export type Resources = Readonly<Record<string, { Type: string; Properties?: CfnJson }>>;

const PSEUDO: Readonly<Record<string, string>> = {
  'AWS::AccountId': ACCOUNT,
  'AWS::Region': REGION,
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'VigilTest',
  'AWS::NoValue': '',
};

class TemplateModel {
  readonly resources: Resources;

  constructor(template: CfnJson) {
    this.resources = template.Resources as Resources;
  }

  /** Logical id → resource, for a type. */
  ofType(type: string): [string, { Type: string; Properties: CfnJson }][] {
    return Object.entries(this.resources)
      .filter(([, r]) => r.Type === type)
      .map(([id, r]) => [id, { Type: r.Type, Properties: r.Properties ?? {} }]);
  }

  private props(id: string): CfnJson {
    const r = this.resources[id];
    if (!r) throw new Error(`template: no resource ${id}`);
    return r.Properties ?? {};
  }

  /** The physical name of a resource: its name property when set, else its logical id. */
  name(id: string): string {
    const r = this.resources[id];
    if (!r) throw new Error(`template: no resource ${id}`);
    const p = r.Properties ?? {};
    const named: Record<string, string> = {
      'AWS::Lambda::Function': 'FunctionName',
      'AWS::DynamoDB::Table': 'TableName',
      'AWS::Logs::LogGroup': 'LogGroupName',
      'AWS::SQS::Queue': 'QueueName',
      'AWS::SNS::Topic': 'TopicName',
      'AWS::S3::Bucket': 'BucketName',
      'AWS::Timestream::Database': 'DatabaseName',
      'AWS::Timestream::Table': 'TableName',
      'AWS::IAM::Role': 'RoleName',
      'AWS::Events::Rule': 'Name',
      'AWS::SecretsManager::Secret': 'Name',
      'AWS::CloudWatch::Alarm': 'AlarmName',
    };
    const key = named[r.Type];
    if (key && p[key] !== undefined) return String(this.resolve(p[key]));
    // Bucket names are lower case.
    return r.Type === 'AWS::S3::Bucket' ? id.toLowerCase() : id;
  }

  /** `Ref` of a resource, per type (CloudFormation's documented return values). */
  ref(id: string): string {
    if (id in PSEUDO) return PSEUDO[id] as string;
    const r = this.resources[id];
    if (!r) throw new Error(`template: Ref to unknown ${id}`);
    const n = this.name(id);
    switch (r.Type) {
      case 'AWS::SNS::Topic':
        return `arn:aws:sns:${REGION}:${ACCOUNT}:${n}`;
      case 'AWS::SQS::Queue':
        return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${n}`;
      case 'AWS::SecretsManager::Secret':
        return `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${n}-AbCdEf`;
      case 'AWS::KMS::Key':
        return `key-${id}`;
      case 'AWS::Timestream::Table':
        return `${this.resolve(this.props(id).DatabaseName)}|${n}`;
      default:
        return n;
    }
  }

  /** `Fn::GetAtt` of a resource. */
  getAtt(id: string, attr: string): string {
    const r = this.resources[id];
    if (!r) throw new Error(`template: GetAtt of unknown ${id}`);
    const n = this.name(id);
    const arn = (service: string, resource: string, region = REGION, account = ACCOUNT) =>
      `arn:aws:${service}:${region}:${account}:${resource}`;
    const byType: Record<string, Record<string, () => string>> = {
      'AWS::SNS::Topic': { TopicArn: () => this.ref(id), TopicName: () => n },
      'AWS::SQS::Queue': {
        Arn: () => arn('sqs', n),
        QueueName: () => n,
        QueueUrl: () => this.ref(id),
      },
      'AWS::Lambda::Function': { Arn: () => arn('lambda', `function:${n}`) },
      'AWS::DynamoDB::Table': { Arn: () => arn('dynamodb', `table/${n}`) },
      'AWS::S3::Bucket': {
        Arn: () => `arn:aws:s3:::${n}`,
        DomainName: () => `${n}.s3.amazonaws.com`,
      },
      'AWS::Timestream::Database': { Arn: () => arn('timestream', `database/${n}`) },
      'AWS::Timestream::Table': {
        Arn: () =>
          arn('timestream', `database/${this.resolve(this.props(id).DatabaseName)}/table/${n}`),
        Name: () => n,
      },
      'AWS::Logs::LogGroup': { Arn: () => arn('logs', `log-group:${n}:*`) },
      'AWS::KMS::Key': { Arn: () => arn('kms', `key/${this.ref(id)}`), KeyId: () => this.ref(id) },
      'AWS::IAM::Role': { Arn: () => `arn:aws:iam::${ACCOUNT}:role/${n}` },
      'AWS::Events::Rule': { Arn: () => arn('events', `rule/${n}`) },
      'AWS::CloudWatch::Alarm': { Arn: () => arn('cloudwatch', `alarm:${n}`) },
      'AWS::ApiGateway::RestApi': { RootResourceId: () => `${id}-root` },
      'AWS::SecretsManager::Secret': { Id: () => this.ref(id) },
      // CloudFormation returns the workspace's ARN and generated id (ws-…).
      // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-aps-workspace.html
      'AWS::APS::Workspace': {
        Arn: () => arn('aps', `workspace/ws-${id.toLowerCase()}`),
        WorkspaceId: () => `ws-${id.toLowerCase()}`,
      },
    };
    const f = byType[r.Type]?.[attr];
    // Attributes nothing here depends on resolve to a recognisable placeholder.
    return f ? f() : `${id}.${attr}`;
  }

  /** Resolves every intrinsic function in a value. */
  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (value === null || typeof value !== 'object') return value;
    const o = value as CfnJson;
    const keys = Object.keys(o);
    if (keys.length === 1) {
      const [k] = keys as [string];
      const arg = o[k];
      switch (k) {
        case 'Ref':
          return this.ref(arg);
        case 'Fn::GetAtt': {
          const [id, attr] = Array.isArray(arg) ? arg : String(arg).split('.');
          return this.getAtt(id, attr);
        }
        case 'Fn::Join': {
          const [sep, parts] = arg as [string, unknown[]];
          return (this.resolve(parts) as unknown[]).join(sep);
        }
        case 'Fn::Select': {
          const [index, list] = arg as [number, unknown];
          return (this.resolve(list) as unknown[])[Number(this.resolve(index))];
        }
        case 'Fn::Split': {
          const [sep, s] = arg as [string, unknown];
          return String(this.resolve(s)).split(sep);
        }
        case 'Fn::Sub': {
          const [text, vars] = (Array.isArray(arg) ? arg : [arg, {}]) as [string, CfnJson];
          return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
            if (name in vars) return String(this.resolve(vars[name]));
            if (name in PSEUDO) return PSEUDO[name] as string;
            const [id, attr] = name.split('.');
            return attr ? this.getAtt(id as string, attr) : this.ref(id as string);
          });
        }
        default:
          if (k.startsWith('Fn::')) throw new Error(`template: ${k} is not resolved here`);
      }
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, this.resolve(v)]));
  }

  /** The resolved statements of a policy document. */
  statements(document: unknown): PolicyStatement[] {
    const doc = this.resolve(document) as { Statement?: PolicyStatement | PolicyStatement[] };
    const s = doc.Statement ?? [];
    return Array.isArray(s) ? s : [s];
  }
}

export { TemplateModel };
