/**
 * Vigil's S3 buckets: encrypted, TLS only, no public access, objects expiring, and server access
 * logs in a bucket of their own (which cdk-nag's AwsSolutions-S1 is told why it logs nowhere).
 */
import { type Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

/** What every bucket of a construct shares. */
interface BucketBasics {
  readonly removalPolicy: RemovalPolicy;
  /** Objects are deleted with the bucket (`RemovalPolicy.DESTROY` only). */
  readonly autoDeleteObjects: boolean;
  /** Objects expire this long after they are written. */
  readonly expiration: Duration;
}

/** The server-access-log target of the buckets named by `logsOf` (e.g. "the drift reports bucket"). */
const accessLogsBucket = (
  scope: Construct,
  id: string,
  props: BucketBasics & { readonly logsOf: string },
): Bucket => {
  const bucket = new Bucket(scope, id, {
    encryption: BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
    lifecycleRules: [{ expiration: props.expiration }],
    removalPolicy: props.removalPolicy,
    autoDeleteObjects: props.autoDeleteObjects,
  });
  Validations.of(bucket).acknowledge({
    id: 'AwsSolutions-S1',
    reason: `This bucket is the server-access-log target of ${props.logsOf}; logging it too would need yet another bucket, and so on.`,
  });
  return bucket;
};

/**
 * A data bucket logging its accesses under `accessLogsPrefix` of `accessLogs`; SSE-KMS with a
 * bucket key when `encryptionKey` is given, else S3-managed keys.
 */
const secureBucket = (
  scope: Construct,
  id: string,
  props: BucketBasics & {
    readonly accessLogs: Bucket;
    readonly accessLogsPrefix: string;
    readonly encryptionKey?: IKey;
  },
): Bucket =>
  new Bucket(scope, id, {
    ...(props.encryptionKey
      ? {
          encryption: BucketEncryption.KMS,
          encryptionKey: props.encryptionKey,
          // One KMS data key per bucket instead of per object: fewer KMS calls.
          bucketKeyEnabled: true,
        }
      : { encryption: BucketEncryption.S3_MANAGED }),
    enforceSSL: true,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    serverAccessLogsBucket: props.accessLogs,
    serverAccessLogsPrefix: props.accessLogsPrefix,
    lifecycleRules: [{ expiration: props.expiration }],
    removalPolicy: props.removalPolicy,
    autoDeleteObjects: props.autoDeleteObjects,
  });

export { accessLogsBucket, secureBucket };
