import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { checksumSettings } from '../../core/aws/s3-client';
import { type EnvSource, optionalEnv, requireEnv } from './env';

/**
 * SDK clients for a worker. The SDK itself reads AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL_DYNAMODB from process.env (checked
 * with SDK 3.117x); they are read here from the given environment too, so that a worker run in-process with its own
 * environment object (the tests, the local runner) reaches the same servers. Credentials come from the SDK's default
 * chain (the ECS task role) unless given.
 */
export interface S3ClientOptions {
  readonly credentials?: S3ClientConfig['credentials'];
  /** For buckets we do not own, which may live in another region. */
  readonly followRegionRedirects?: boolean;
}

export function createS3Client(env: EnvSource, options: S3ClientOptions = {}): S3Client {
  const endpoint = optionalEnv(env, 'AWS_ENDPOINT_URL_S3') ?? optionalEnv(env, 'AWS_ENDPOINT_URL');
  return new S3Client({
    region: requireEnv(env, 'AWS_REGION'),
    ...(endpoint ? { endpoint } : {}),
    forcePathStyle: optionalEnv(env, 'S3_FORCE_PATH_STYLE') === 'true',
    followRegionRedirects: options.followRegionRedirects ?? false,
    ...checksumSettings(endpoint),
    maxAttempts: 5,
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
}

export function createDocumentClient(env: EnvSource): DynamoDBDocumentClient {
  const endpoint = optionalEnv(env, 'AWS_ENDPOINT_URL_DYNAMODB') ?? optionalEnv(env, 'AWS_ENDPOINT_URL');
  const client = new DynamoDBClient({
    region: requireEnv(env, 'AWS_REGION'),
    ...(endpoint ? { endpoint } : {}),
    maxAttempts: 5,
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}
