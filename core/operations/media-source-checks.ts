import { isAbsolute } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { matchesAnyWildcard } from '../config/wildcard-pattern';
import { s3SourceAllowed } from '../media/s3-source-rule';
import { InvalidS3UriError, parseS3Uri } from '../media/s3-uri';
import * as messages from './api-messages';
import { localSourceHasMedia } from './local-source-precheck';
import { localManifestHasLocationColumn, s3ManifestHasLocationColumn } from './manifest-precheck';
import type { MediaOptions, MediaSource } from './media-source';
import type { OperationContext } from './operation-context';
import type { OperationRefusal } from './operation-result';
import { s3SourceHasMedia } from './source-precheck';

/**
 * Checks of a source that need no I/O: S3 URI syntax, which buckets and roles this deployment may read with, whether
 * local paths are enabled. Our own bucket is never a source: it holds every dataset's media.
 */
export function sourceRefusal(
  context: OperationContext,
  source: MediaSource,
  options: MediaOptions,
): OperationRefusal | undefined {
  const { config } = context;
  if (options.assumeRole !== null) {
    if (source.kind !== 's3_uri') return { reason: 'invalid_input', detail: messages.assumeRoleNeedsS3Source };
    if (!matchesAnyWildcard(options.assumeRole, config.allowedAssumeRoleArns)) {
      return { reason: 'invalid_input', detail: messages.assumeRoleNotAllowed(options.assumeRole) };
    }
  }
  if (source.kind === 's3_uri') {
    const invalid: OperationRefusal = { reason: 'invalid_source', sourceKind: 's3_uri', uri: source.uri };
    let bucket: string;
    try {
      bucket = parseS3Uri(source.uri).bucket;
    } catch (error) {
      if (error instanceof InvalidS3UriError) return invalid;
      throw error;
    }
    const rule = {
      ownBucket: config.bucketName,
      allowedBuckets: config.sourceBucketNames,
      assumedRole: options.assumeRole !== null,
    };
    if (!s3SourceAllowed(bucket, rule)) return invalid;
  }
  if (source.kind === 'local_path') {
    if (!config.localPathsAllowed) return { reason: 'invalid_input', detail: messages.localPathsNotAllowed };
    if (config.localMediaRoots.length === 0) return { reason: 'invalid_input', detail: messages.localMediaRootsUnset };
    if (!isAbsolute(source.path))
      return { reason: 'invalid_input', detail: messages.localPathNotAbsolute(source.path) };
  }
  return undefined;
}

/**
 * Looks at an S3 or local source before anything is locked or staged (ListObjectsV2 / HeadObject, with the assumed
 * role's credentials when `assume_role` is given). Any failure, or nothing supported there, is the API's 400; so is a
 * manifest without a location column, with the accepted column names.
 */
export async function sourcePrecheckRefusal(
  context: OperationContext,
  source: MediaSource,
  options: MediaOptions,
  operationId: string,
): Promise<OperationRefusal | undefined> {
  if (source.kind === 'local_path') {
    const rule = { roots: context.config.localMediaRoots, excluded: context.config.servicePaths };
    if (!(await localSourceHasMedia(source.path, rule)))
      return { reason: 'invalid_source', sourceKind: 'local_path', uri: source.path };
    return (await localManifestHasLocationColumn(source.path)) === false
      ? { reason: 'invalid_input', detail: messages.manifestWithoutLocationColumn(source.path) }
      : undefined;
  }
  if (source.kind !== 's3_uri') return undefined;
  let assumed: S3Client | undefined;
  try {
    if (options.assumeRole !== null)
      assumed = context.assumedRoleS3(await assumeRole(context, options.assumeRole, operationId));
    const client = assumed ?? context.s3;
    if (await s3SourceHasMedia(client, source.uri)) {
      return (await s3ManifestHasLocationColumn(client, source.uri)) === false
        ? { reason: 'invalid_input', detail: messages.manifestWithoutLocationColumn(source.uri) }
        : undefined;
    }
    context.logger.info('S3 source holds no supported media', { uri: source.uri });
  } catch (error) {
    context.logger.warn('S3 source pre-check failed', {
      uri: source.uri,
      assumeRole: options.assumeRole,
      error: error as Error,
    });
  } finally {
    assumed?.destroy();
  }
  return { reason: 'invalid_source', sourceKind: 's3_uri', uri: source.uri };
}

async function assumeRole(context: OperationContext, roleArn: string, operationId: string) {
  const { Credentials: credentials } = await context.sts.send(
    new AssumeRoleCommand({
      RoleArn: roleArn,
      RoleSessionName: `precheck-${operationId}`,
      DurationSeconds: 900,
      ...(context.config.assumeRoleExternalId ? { ExternalId: context.config.assumeRoleExternalId } : {}),
    }),
  );
  if (!credentials?.AccessKeyId || !credentials.SecretAccessKey)
    throw new Error(`AssumeRole ${roleArn} returned no credentials`);
  return {
    accessKeyId: credentials.AccessKeyId,
    secretAccessKey: credentials.SecretAccessKey,
    sessionToken: credentials.SessionToken,
    ...(credentials.Expiration ? { expiration: credentials.Expiration } : {}),
  };
}
