import { TemplateModel } from './template-model';

const model = new TemplateModel({
  Resources: {
    Topic: { Type: 'AWS::SNS::Topic', Properties: {} },
    Queue: { Type: 'AWS::SQS::Queue', Properties: {} },
    Db: { Type: 'AWS::Timestream::Database', Properties: { DatabaseName: 'vigil' } },
    Samples: {
      Type: 'AWS::Timestream::Table',
      Properties: { DatabaseName: { Ref: 'Db' }, TableName: 'samples' },
    },
    Fn: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'vigil-query' } },
    Bucket: { Type: 'AWS::S3::Bucket', Properties: {} },
    Group: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: '/vigil/api' } },
    Key: { Type: 'AWS::KMS::Key', Properties: {} },
  },
});

describe('Feature: template model (intrinsics resolved to fake physical names)', () => {
  it.each<[string, unknown, unknown]>([
    ['a topic Ref as its ARN', { Ref: 'Topic' }, 'arn:aws:sns:eu-west-1:123456789012:Topic'],
    [
      'a queue Ref as its URL',
      { Ref: 'Queue' },
      'https://sqs.eu-west-1.amazonaws.com/123456789012/Queue',
    ],
    ['a queue Arn', { 'Fn::GetAtt': ['Queue', 'Arn'] }, 'arn:aws:sqs:eu-west-1:123456789012:Queue'],
    [
      'a Timestream table Arn through its database Ref',
      { 'Fn::GetAtt': ['Samples', 'Arn'] },
      'arn:aws:timestream:eu-west-1:123456789012:database/vigil/table/samples',
    ],
    ['a Timestream table Name', { 'Fn::GetAtt': ['Samples', 'Name'] }, 'samples'],
    ['a named function Ref as its name', { Ref: 'Fn' }, 'vigil-query'],
    ['a bucket name in lower case', { Ref: 'Bucket' }, 'bucket'],
    [
      'a log group Arn with its stream wildcard',
      { 'Fn::GetAtt': ['Group', 'Arn'] },
      'arn:aws:logs:eu-west-1:123456789012:log-group:/vigil/api:*',
    ],
    [
      'Fn::Join of pseudo parameters',
      {
        'Fn::Join': [
          '',
          ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root'],
        ],
      },
      'arn:aws:iam::123456789012:root',
    ],
    [
      'Fn::Sub with attributes, pseudo parameters and variables',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's own ${} syntax
      { 'Fn::Sub': ['${Fn.Arn}/${AWS::Region}/${v}', { v: { Ref: 'Db' } }] },
      'arn:aws:lambda:eu-west-1:123456789012:function:vigil-query/eu-west-1/vigil',
    ],
    [
      'Fn::Select of Fn::Split',
      { 'Fn::Select': [3, { 'Fn::Split': [':', { 'Fn::GetAtt': ['Key', 'Arn'] }] }] },
      'eu-west-1',
    ],
    ['nested objects and lists', { a: [{ Ref: 'Db' }, 1] }, { a: ['vigil', 1] }],
  ])('resolves %s', (_, value, expected) => {
    // Act
    const resolved = model.resolve(value);

    // Assess
    expect(resolved).toEqual(expected);
  });

  it('refuses an intrinsic it does not resolve, and a Ref to a resource that does not exist', () => {
    // Act
    const unknownFn = () => model.resolve({ 'Fn::ImportValue': 'x' });
    const unknownRef = () => model.resolve({ Ref: 'Nope' });

    // Assess
    expect(unknownFn).toThrow('Fn::ImportValue is not resolved here');
    expect(unknownRef).toThrow('Ref to unknown Nope');
  });
});
