import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { forcePathStyleSetting } from '../aws/path-style-setting';
import { type ReadContext, readContextFromEnv } from './read-context';

/** Everything the API's domain functions talk to; built once per container from the environment, or by tests. */
export interface OperationContext extends ReadContext {
  /** Our bucket (staging) and S3 sources read with the function's own role. */
  readonly s3: S3Client;
  readonly sfn: SFNClient;
  readonly sts: STSClient;
  /** A client that reads an S3 source with an assumed role's credentials; the caller destroys it after use. */
  readonly assumedRoleS3: (credentials: AwsCredentialIdentity) => S3Client;
}

let fromEnv: OperationContext | undefined;

/**
 * The context of a deployed function (or the local runtime, which points the SDK at its embedded servers with
 * AWS_ENDPOINT_URL_* and S3_FORCE_PATH_STYLE). Clients are created once; settings are read when first used.
 */
export function apiContextFromEnv(): OperationContext {
  fromEnv ??= {
    ...readContextFromEnv(),
    s3: sourceReadyS3Client(),
    sfn: new SFNClient({ region: region(), maxAttempts: 3 }),
    sts: new STSClient({ region: region(), maxAttempts: 3 }),
    assumedRoleS3: (credentials) => sourceReadyS3Client(credentials),
  };
  return fromEnv;
}

/** Source buckets may live in another region than the function: follow S3's region redirects. */
function sourceReadyS3Client(credentials?: AwsCredentialIdentity): S3Client {
  return new S3Client({
    region: region(),
    ...(credentials ? { credentials } : {}),
    forcePathStyle: forcePathStyleSetting(),
    followRegionRedirects: true,
  });
}

/** Lambda always sets AWS_REGION; a local run without it gets the same default as the table client. */
const region = () => process.env.AWS_REGION ?? 'us-east-1';
