/**
 * One dated table of AWS list prices (us-east-1, USD) that `vigil cost` and docs/costs.md use.
 * Every line names its source. Where the stored AWS pricing page did not show the figure, the
 * line says so (`verified: false`) and uses the best documented figure found, with its source.
 * Free tiers are not subtracted anywhere (they are per account and shared with everything else
 * in it), except the three free CloudWatch dashboards, which `vigil cost` reports as such.
 */

/** The day these prices were looked up (ISO date). */
export const PRICES_TAKEN_ON = '2026-12-06';

/** The region every price is for. */
export const PRICES_REGION = 'us-east-1';

/** One tier of a tiered price: `usdPerUnit` applies to usage up to `upTo` units (cumulative). */
export interface PriceTier {
  /** Cumulative usage where this tier ends; `Infinity` for the last tier. */
  readonly upTo: number;
  /** Price of one unit (see the line's `unit`) inside this tier, USD. */
  readonly usdPerUnit: number;
}

/** One line of the price table. */
export interface PriceLine {
  /** Service, as on the AWS bill. */
  readonly service: string;
  /** What is charged. */
  readonly item: string;
  /** The unit one price is for, e.g. `GB-month`, `1M requests`. */
  readonly unit: string;
  /** Tiers, cheapest last; a flat price is one tier up to `Infinity`. */
  readonly tiers: readonly PriceTier[];
  /** Where the figure was read. */
  readonly source: string;
  /** Whether the figure was read from AWS's own pricing page or documentation. */
  readonly verified: boolean;
  /** What a reader must know about the figure (e.g. why it is not verified). */
  readonly note?: string;
}

const flat = (usdPerUnit: number): readonly PriceTier[] => [{ upTo: Infinity, usdPerUnit }];

const AMP_PRICING = 'https://aws.amazon.com/prometheus/pricing/';
const AMP_PRICES_QUOTED = 'https://github.com/infracost/infracost/issues/2477';
const TIMESTREAM_TCU_DOC = 'https://docs.aws.amazon.com/timestream/latest/developerguide/tcu.html';
const TIMESTREAM_PRICING_ARCHIVE =
  'https://web.archive.org/web/20200728133125/https://aws.amazon.com/timestream/pricing/';
const LAMBDA_PRICES = 'https://cloudchipr.com/blog/aws-lambda-pricing';
const APIGW_PRICES =
  'https://docs.aws.amazon.com/whitepapers/latest/best-practices-api-gateway-private-apis-integration/cost-optimization.html';
const DYNAMODB_PRICING = 'https://aws.amazon.com/dynamodb/pricing/';
const DYNAMODB_ON_DEMAND =
  'https://www.linkedin.com/pulse/amazon-dynamodb-pricing-explained-detailed-breakdown-examples-raheja-u9bbc';
const CLOUDWATCH_PRICING = 'https://aws.amazon.com/cloudwatch/pricing/';
const CLOUDWATCH_GUIDE = 'https://signoz.io/guides/cloudwatch-pricing';
const CLOUDWATCH_RATES = 'https://cloudburn.io/blog/amazon-cloudwatch-pricing';
const SNS_PRICES =
  'https://www.factualminds.com/blog/amazon-sns-pricing-publishes-fanout-protocols/';
const S3_PRICING = 'https://aws.amazon.com/s3/pricing/';
const KMS_PRICES = 'https://www.wring.co/blog/aws-kms-pricing-guide';
const SECRETS_PRICES = 'https://aws.amazon.com/secrets-manager/pricing/';

/** The price table, by key. Keys are stable: the model and the tests refer to them. */
export const PRICES = {
  ampSamplesIngested: {
    service: 'Amazon Managed Service for Prometheus',
    item: 'metric samples ingested',
    unit: '10M samples',
    tiers: [
      { upTo: 200, usdPerUnit: 0.9 }, // first 2 billion samples
      { upTo: 25_200, usdPerUnit: 0.35 }, // next 250 billion
      { upTo: Infinity, usdPerUnit: 0.16 }, // over 252 billion
    ],
    source: `${AMP_PRICES_QUOTED} (quoting ${AMP_PRICING})`,
    verified: false,
    note: 'the stored AWS pricing page describes the meters but its table did not load; the tier prices are as quoted from it in the cited issue (2023-05-30)',
  },
  ampQuerySamples: {
    service: 'Amazon Managed Service for Prometheus',
    item: 'query samples processed (QSP)',
    unit: '1B samples',
    tiers: flat(0.1),
    source: `${AMP_PRICES_QUOTED} (quoting ${AMP_PRICING})`,
    verified: false,
    note: 'as for samples ingested',
  },
  ampStorage: {
    service: 'Amazon Managed Service for Prometheus',
    item: 'metrics storage (1 GB = 2^30 bytes)',
    unit: 'GB-month',
    tiers: flat(0.03),
    source: `${AMP_PRICES_QUOTED} (quoting ${AMP_PRICING})`,
    verified: false,
    note: 'as for samples ingested; AWS: a sample takes typically 1 or 2 bytes, plus series metadata',
  },
  timestreamWrites: {
    service: 'Amazon Timestream for LiveAnalytics',
    item: 'data written (rounded up to 1 KB per record batch)',
    unit: 'GB',
    tiers: flat(0.55),
    source:
      'public cost research note "AWS Service Cost Research: Amazon Timestream for LiveAnalytics" (July 2026; found in the indexed public GitHub files, its repository was not shown)',
    verified: false,
    note: `AWS's current page was not in the stored material; its 2020 page (${TIMESTREAM_PRICING_ARCHIVE}) priced 1 million 1 KB writes at $0.50 (≈ $0.52/GB), within 6% of this figure`,
  },
  timestreamMemoryStore: {
    service: 'Amazon Timestream for LiveAnalytics',
    item: 'memory store',
    unit: 'GB-hour',
    tiers: flat(0.036),
    source: `${TIMESTREAM_PRICING_ARCHIVE}; the same figure in the July 2026 research note`,
    verified: false,
    note: 'AWS page from 2020 (US East Ohio) and a 2026 note agree',
  },
  timestreamMagneticStore: {
    service: 'Amazon Timestream for LiveAnalytics',
    item: 'magnetic store',
    unit: 'GB-month',
    tiers: flat(0.03),
    source: `${TIMESTREAM_PRICING_ARCHIVE}; the same figure in the July 2026 research note`,
    verified: false,
    note: 'as for the memory store',
  },
  timestreamTcuHour: {
    service: 'Amazon Timestream for LiveAnalytics',
    item: 'query compute: TCU-hour, per second, 30 s minimum, at least 4 TCUs (MaxQueryTCU)',
    unit: 'TCU-hour',
    tiers: flat(0.518),
    source: `rate: July 2026 research note; metering (per second, 30 s minimum, minimum 4 TCUs): ${TIMESTREAM_TCU_DOC}`,
    verified: false,
    note: 'AWS documents the metering but sends the rate to its pricing page, which was not in the stored material',
  },
  lambdaArmGbSecond: {
    service: 'AWS Lambda',
    item: 'duration, arm64 (first 7.5 billion GB-s)',
    unit: 'GB-second',
    tiers: flat(0.0000133334),
    source: LAMBDA_PRICES,
    verified: false,
    note: "quoted from AWS's pricing page (US East, N. Virginia); later tiers are cheaper",
  },
  lambdaRequests: {
    service: 'AWS Lambda',
    item: 'requests',
    unit: '1M requests',
    tiers: flat(0.2),
    source: 'https://git.mcrn.ar/mariano/lambda_local_runner (docs/lambdas-md/lambda-13-cost.md)',
    verified: false,
    note: "quoted from AWS's pricing page, same for x86_64 and arm64",
  },
  apiGatewayRestRequests: {
    service: 'Amazon API Gateway',
    item: 'REST API calls',
    unit: '1M requests',
    tiers: [
      { upTo: 333, usdPerUnit: 3.5 },
      { upTo: 1_000, usdPerUnit: 2.8 },
      { upTo: 20_000, usdPerUnit: 2.38 },
      { upTo: Infinity, usdPerUnit: 1.51 },
    ],
    source: APIGW_PRICES,
    verified: true,
  },
  dynamoDbWriteUnits: {
    service: 'Amazon DynamoDB',
    item: 'on-demand write request units',
    unit: '1M WRU',
    tiers: flat(0.625),
    source: DYNAMODB_ON_DEMAND,
    verified: false,
    note: "quoted (US East); AWS's on-demand table was not in the stored page",
  },
  dynamoDbReadUnits: {
    service: 'Amazon DynamoDB',
    item: 'on-demand read request units',
    unit: '1M RRU',
    tiers: flat(0.125),
    source: DYNAMODB_ON_DEMAND,
    verified: false,
    note: 'as for write request units',
  },
  dynamoDbStorage: {
    service: 'Amazon DynamoDB',
    item: 'table storage',
    unit: 'GB-month',
    tiers: flat(0.25),
    source: DYNAMODB_PRICING,
    verified: true,
    note: 'the first 25 GB a month are free (not subtracted: the free tier is per account)',
  },
  cloudWatchCustomMetrics: {
    service: 'Amazon CloudWatch',
    item: 'custom metrics (first 10,000)',
    unit: 'metric-month',
    tiers: [
      { upTo: 10_000, usdPerUnit: 0.3 },
      { upTo: Infinity, usdPerUnit: 0.1 },
    ],
    source: `${CLOUDWATCH_GUIDE}; $0.10 past 10,000: https://cal53.calculator.city/cloudwatch-custom-metrics-calculator/`,
    verified: false,
    note: "first tier quoted from AWS's page (Feb 2026); AWS's cheaper tiers past 250,000 metrics are not in the stored material and not modelled (an overestimate there)",
  },
  cloudWatchStandardAlarm: {
    service: 'Amazon CloudWatch',
    item: 'standard-resolution alarm metric',
    unit: 'alarm-month',
    tiers: flat(0.1),
    source: CLOUDWATCH_RATES,
    verified: false,
    note: "quoted from AWS's page (Feb 2026)",
  },
  cloudWatchMetricsInsightsAlarm: {
    service: 'Amazon CloudWatch',
    item: 'Metrics Insights query alarm, per metric analysed',
    unit: 'metric-month',
    tiers: flat(0.1),
    source: CLOUDWATCH_RATES,
    verified: false,
    note: 'the stored pages name the meter (alarms tiered by type) without a clear figure; $0.10 per metric analysed is the standard-alarm rate, used as the best figure',
  },
  cloudWatchDashboard: {
    service: 'Amazon CloudWatch',
    item: 'dashboard beyond the first 3 (free tier: 3 dashboards of up to 50 metrics)',
    unit: 'dashboard-month',
    tiers: flat(3),
    source: `${CLOUDWATCH_PRICING} (free tier); $3: ${CLOUDWATCH_RATES}`,
    verified: false,
    note: 'free tier read from AWS; the $3 rate quoted (Feb 2026)',
  },
  cloudWatchLogsIngested: {
    service: 'Amazon CloudWatch',
    item: 'logs ingested (standard class)',
    unit: 'GB',
    tiers: flat(0.5),
    source:
      'https://www.factualminds.com/blog/amazon-cloudwatch-pricing-metrics-logs-alarms-dashboards/',
    verified: false,
    note: "quoted (June 2026); AWS's own page lists logs first but its table was not in the stored material",
  },
  cloudWatchLogsStored: {
    service: 'Amazon CloudWatch',
    item: 'logs stored (archived, compressed)',
    unit: 'GB-month',
    tiers: flat(0.03),
    source: CLOUDWATCH_RATES,
    verified: false,
    note: "quoted from AWS's page (Feb 2026)",
  },
  cloudWatchGetMetricData: {
    service: 'Amazon CloudWatch',
    item: 'GetMetricData, per metric requested',
    unit: '1,000 metrics',
    tiers: flat(0.01),
    source: CLOUDWATCH_RATES,
    verified: false,
    note: "quoted from AWS's page (Feb 2026); not in AWS's 1M free API requests",
  },
  snsPublishes: {
    service: 'Amazon SNS',
    item: 'standard topic publishes',
    unit: '1M requests',
    tiers: flat(0.5),
    source: SNS_PRICES,
    verified: false,
    note: 'quoted (June 2026); deliveries to Lambda and SQS subscribers are free',
  },
  snsEmail: {
    service: 'Amazon SNS',
    item: 'email notifications',
    unit: '100,000 emails',
    tiers: flat(2),
    source: SNS_PRICES,
    verified: false,
    note: 'quoted (June 2026)',
  },
  s3Storage: {
    service: 'Amazon S3',
    item: 'S3 Standard storage (first 50 TB)',
    unit: 'GB-month',
    tiers: flat(0.023),
    source: S3_PRICING,
    verified: false,
    note: 'the stored S3 page describes the meters without the figure; $0.023 is the long-standing first-tier rate, not read in the stored material',
  },
  kmsKey: {
    service: 'AWS KMS',
    item: 'customer managed key',
    unit: 'key-month',
    tiers: flat(1),
    source: KMS_PRICES,
    verified: false,
    note: "quoted from AWS's page (March 2026)",
  },
  kmsRequests: {
    service: 'AWS KMS',
    item: 'symmetric key requests',
    unit: '10,000 requests',
    tiers: flat(0.03),
    source: KMS_PRICES,
    verified: false,
    note: "quoted from AWS's page (March 2026); 20,000 free per month",
  },
  secretsManagerSecret: {
    service: 'AWS Secrets Manager',
    item: 'secret',
    unit: 'secret-month',
    tiers: flat(0.4),
    source: SECRETS_PRICES,
    verified: true,
    note: 'read in the pricing examples of the page (2026-09-20 transcription)',
  },
} as const satisfies Record<string, PriceLine>;

/** A key of {@link PRICES}. */
export type PriceKey = keyof typeof PRICES;

/** A price table of the same shape as {@link PRICES} (tests and `--prices` files pass their own). */
export type PriceTable = Readonly<Record<PriceKey, PriceLine>>;

/**
 * What `units` of a tiered price cost: each unit is charged at the tier it falls in.
 * For example 250 units of AMP ingestion (2.5 billion samples) are 200 × $0.90 + 50 × $0.35.
 */
export const tieredCost = (tiers: readonly PriceTier[], units: number): number => {
  let cost = 0;
  let from = 0;
  for (const tier of tiers) {
    if (units <= from) break;
    const inTier = Math.min(units, tier.upTo) - from;
    cost += inTier * tier.usdPerUnit;
    from = tier.upTo;
  }
  return cost;
};

/** The first-tier price of a line, USD per its unit. */
export const firstTierPrice = (line: PriceLine): number => line.tiers[0]?.usdPerUnit ?? 0;
