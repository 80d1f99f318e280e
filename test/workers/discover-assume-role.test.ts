import type { S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { run } from '../../workers/discover/run';
import { roleSessionName, sanitizeSourceIdentity } from '../../workers/runtime/source-credentials';
import { makeImage } from '../support/media-fixtures';
import {
  createBucket,
  directS3Client,
  discoverEnv,
  newOperationId,
  putObject,
  type RecordingProxy,
  readBatchOutputs,
  startRecordingProxy,
  TASK_ROLE_KEY_ID,
  useTaskRoleCredentials,
} from './discover-test-support';

useTaskRoleCredentials();

const ROLE_ARN = 'arn:aws:iam::123456789012:role/DatasetSourceReader';
const ASSUMED = {
  AccessKeyId: 'ASIAASSUMEDROLE',
  SecretAccessKey: 'assumed-secret',
  SessionToken: 'assumed-session-token',
};
const sts = mockClient(STSClient);

let proxy: RecordingProxy;
let direct: S3Client;
let own: string;
let source: string;

beforeAll(async () => {
  proxy = await startRecordingProxy();
  direct = directS3Client();
  [own, source] = await Promise.all([createBucket(direct, 'own'), createBucket(direct, 'customer')]);
  await Promise.all([
    putObject(direct, source, 'new/a.jpg', await makeImage({ seed: 1 })),
    putObject(direct, source, 'new/b.png', await makeImage({ seed: 2, format: 'png' })),
    putObject(direct, source, 'lists/new.txt', '../new/a.jpg\n'),
  ]);
});

afterAll(async () => {
  await proxy.close();
  sts.restore();
});

beforeEach(() => {
  sts.reset();
  proxy.requests.length = 0;
});

function envFor(sourceUri: string, extra: Record<string, string>) {
  return discoverEnv({
    endpoint: proxy.endpoint,
    bucket: own,
    datasetId: 'ds-role',
    operationId: newOperationId(),
    sourceKind: 's3_uri',
    sourceUri,
    extra,
  });
}

describe('reading the source with an assumed role', () => {
  it('assumes the role once with the external id, the caller as source identity and a session named after the operation', async () => {
    sts.on(AssumeRoleCommand).resolves({ Credentials: { ...ASSUMED, Expiration: new Date(Date.now() + 3600_000) } });
    const env = envFor(`s3://${source}/new/`, {
      ASSUME_ROLE_ARN: ROLE_ARN,
      ASSUME_ROLE_EXTERNAL_ID: 'ext-id-42',
      CALLER: 'auth0|user 42',
    });

    await run(env);

    const calls = sts.commandCalls(AssumeRoleCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({
      RoleArn: ROLE_ARN,
      ExternalId: 'ext-id-42',
      SourceIdentity: 'auth0_user_42',
      RoleSessionName: `add-media-${env.OPERATION_ID}`,
    });
    expect((await readBatchOutputs(direct, own, 'ds-role', env.OPERATION_ID)).summary.n_images).toBe(2);
  });

  it('signs every request to the source with the assumed credentials and every request to our bucket with the task role', async () => {
    sts.on(AssumeRoleCommand).resolves({ Credentials: { ...ASSUMED, Expiration: new Date(Date.now() + 3600_000) } });
    await run(envFor(`s3://${source}/lists/new.txt`, { ASSUME_ROLE_ARN: ROLE_ARN }));

    const toSource = proxy.requests.filter((request) => request.path.startsWith(`/${source}`));
    const toOwn = proxy.requests.filter((request) => request.path.startsWith(`/${own}`));
    expect(toSource.length).toBeGreaterThanOrEqual(2); // the manifest, then the ranged read of a.jpg
    expect(new Set(toSource.map((request) => `${request.accessKeyId} ${request.sessionToken}`))).toEqual(
      new Set([`${ASSUMED.AccessKeyId} ${ASSUMED.SessionToken}`]),
    );
    expect(toOwn.length).toBeGreaterThanOrEqual(2); // a manifest part and discovery.json
    expect(new Set(toOwn.map((request) => `${request.accessKeyId} ${request.sessionToken}`))).toEqual(
      new Set([`${TASK_ROLE_KEY_ID} undefined`]),
    );
    expect(sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input).not.toHaveProperty('ExternalId');
  });

  it('asks STS again when the credentials are about to expire (long discoveries outlive a session)', async () => {
    sts.on(AssumeRoleCommand).resolves({ Credentials: { ...ASSUMED, Expiration: new Date(Date.now() + 60_000) } });
    await run(envFor(`s3://${source}/new/`, { ASSUME_ROLE_ARN: ROLE_ARN }));
    expect(sts.commandCalls(AssumeRoleCommand).length).toBeGreaterThan(1);
  });

  it('reads the source with the task role when no role is given, and never calls STS', async () => {
    await run(envFor(`s3://${source}/new/`, {}));
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
    expect(new Set(proxy.requests.map((request) => request.accessKeyId))).toEqual(new Set([TASK_ROLE_KEY_ID]));
  });

  it('fails with a readable message when the role cannot be assumed', async () => {
    sts
      .on(AssumeRoleCommand)
      .rejects(Object.assign(new Error('User is not authorized to perform: sts:AssumeRole'), { name: 'AccessDenied' }));
    await expect(run(envFor(`s3://${source}/new/`, { ASSUME_ROLE_ARN: ROLE_ARN }))).rejects.toThrow(
      `Could not assume role ${ROLE_ARN}: User is not authorized to perform: sts:AssumeRole`,
    );
  });

  it('refuses a malformed role ARN before calling anything', async () => {
    await expect(run(envFor(`s3://${source}/new/`, { ASSUME_ROLE_ARN: 'arn:aws:iam::12:user/x' }))).rejects.toThrow(
      'ASSUME_ROLE_ARN is not an IAM role ARN: "arn:aws:iam::12:user/x"',
    );
    expect(proxy.requests).toEqual([]);
  });
});

describe('STS names', () => {
  it.each([
    ['alice@example.com', 'alice@example.com'],
    ['auth0|5f3a 9', 'auth0_5f3a_9'],
    ['aws:admin', 'admin'],
    ['x', 'x_'],
    ['|||', undefined],
    [undefined, undefined],
    ['u'.repeat(100), 'u'.repeat(64)],
  ])('source identity of %s is %s', (caller, identity) => {
    expect(sanitizeSourceIdentity(caller)).toBe(identity);
  });

  it('derives a valid session name from any operation id', () => {
    expect(roleSessionName('0193b1c2-7d7e-7000-8000-000000000001')).toBe(
      'add-media-0193b1c2-7d7e-7000-8000-000000000001',
    );
    expect(roleSessionName(`op/${'z'.repeat(80)}`)).toMatch(/^add-media-op_z+$/);
    expect(roleSessionName(`op/${'z'.repeat(80)}`)).toHaveLength(64);
  });
});
