import type { S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, type AssumeRoleCommandInput, STSClient } from '@aws-sdk/client-sts';
import { createS3Client } from './clients';
import { EnvError, type EnvSource, optionalEnv, requireEnv } from './env';

/**
 * Access to a customer's S3 source (docs/pipeline.md): with ASSUME_ROLE_ARN set, every read of the source goes through
 * credentials from STS AssumeRole (ExternalId from the deployment, SourceIdentity = the caller, a session name derived from
 * the operation), refreshed before they expire. Our own bucket is always read and written with the task role.
 */
export interface SourceAccess {
  readonly roleArn?: string;
  readonly externalId?: string;
  readonly caller?: string;
  readonly operationId: string;
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const STS_NAME_CHARS = /[^\w+=,.@-]/g;

function readSourceAccess(env: EnvSource): SourceAccess {
  const roleArn = optionalEnv(env, 'ASSUME_ROLE_ARN');
  if (roleArn !== undefined && !ROLE_ARN.test(roleArn))
    throw new EnvError(`ASSUME_ROLE_ARN is not an IAM role ARN: ${JSON.stringify(roleArn)}`);
  const externalId = optionalEnv(env, 'ASSUME_ROLE_EXTERNAL_ID');
  const caller = optionalEnv(env, 'CALLER');
  return {
    ...(roleArn ? { roleArn } : {}),
    ...(externalId ? { externalId } : {}),
    ...(caller ? { caller } : {}),
    operationId: requireEnv(env, 'OPERATION_ID'),
  };
}

/** STS SourceIdentity: 2-64 characters of `[\w+=,.@-]`, not starting with `aws:`; undefined when nothing usable is left. */
export function sanitizeSourceIdentity(caller: string | undefined): string | undefined {
  if (caller === undefined) return undefined;
  const cleaned = caller.replace(/^aws:/i, '').replace(STS_NAME_CHARS, '_').slice(0, 64);
  if (cleaned.replace(/_/g, '') === '') return undefined;
  return cleaned.length >= 2 ? cleaned : `${cleaned}_`;
}

/** STS RoleSessionName: 2-64 characters of `[\w+=,.@-]`, made from the operation id so CloudTrail ties reads to it. */
export function roleSessionName(operationId: string): string {
  return `add-media-${operationId}`.replace(STS_NAME_CHARS, '_').slice(0, 64);
}

function assumeRoleInput(access: SourceAccess & { roleArn: string }): AssumeRoleCommandInput {
  const sourceIdentity = sanitizeSourceIdentity(access.caller);
  return {
    RoleArn: access.roleArn,
    RoleSessionName: roleSessionName(access.operationId),
    ...(access.externalId ? { ExternalId: access.externalId } : {}),
    ...(sourceIdentity ? { SourceIdentity: sourceIdentity } : {}),
  };
}

/**
 * The S3 client for the source: the task role's when no role is to be assumed, else one whose credentials come from
 * AssumeRole. The SDK caches what the provider returns and calls it again shortly before `expiration`, so discovery and
 * embedding runs longer than the session keep working. Follows region redirects: the source bucket may be elsewhere.
 */
export function createSourceS3Client(env: EnvSource, access: SourceAccess = readSourceAccess(env)): S3Client {
  const { roleArn } = access;
  if (roleArn === undefined) return createS3Client(env, { followRegionRedirects: true });
  const sts = new STSClient({ region: requireEnv(env, 'AWS_REGION') });
  const input = assumeRoleInput({ ...access, roleArn });
  const credentials = async () => {
    let response;
    try {
      response = await sts.send(new AssumeRoleCommand(input));
    } catch (error) {
      throw new Error(`Could not assume role ${roleArn}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const issued = response.Credentials;
    if (!issued?.AccessKeyId || !issued.SecretAccessKey)
      throw new Error(`Could not assume role ${roleArn}: STS returned no credentials`);
    return {
      accessKeyId: issued.AccessKeyId,
      secretAccessKey: issued.SecretAccessKey,
      ...(issued.SessionToken ? { sessionToken: issued.SessionToken } : {}),
      ...(issued.Expiration ? { expiration: issued.Expiration } : {}),
    };
  };
  return createS3Client(env, { credentials, followRegionRedirects: true });
}
