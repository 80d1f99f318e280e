/**
 * Helpers of the discover tests: a recording proxy in front of the shared s3rver, buckets, and readers of what a
 * discovery wrote. s3rver knows one access key (S3RVER) and does not check v4 signatures, so the proxy records the access
 * key id each request was signed with and then rewrites it to S3RVER: the workers can use any credentials, and a test
 * can tell which credentials each request carried.
 */
import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { batchPrefix, discoveryKey, manifestPartKey } from '../../core/store/batch-paths';
import { type DiscoverySummary, type ManifestLine, parseManifestLine } from '../../workers/runtime/batch-records';
import { s3Endpoint } from '../support/servers';

/** The task role's credentials in these tests (the SDK's default chain reads them from process.env). */
export const TASK_ROLE_KEY_ID = 'AKIATASKROLE';

export function useTaskRoleCredentials(): void {
  process.env.AWS_ACCESS_KEY_ID = TASK_ROLE_KEY_ID;
  process.env.AWS_SECRET_ACCESS_KEY = 'task-role-secret';
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
}

interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly accessKeyId: string | undefined;
  readonly sessionToken: string | undefined;
}

export interface RecordingProxy {
  readonly endpoint: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startRecordingProxy(target: string = s3Endpoint()): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const requests: RecordedRequest[] = [];
  const server = createServer((incoming, outgoing) => {
    const authorization = incoming.headers.authorization ?? '';
    const accessKeyId = /Credential=([^/]+)\//.exec(authorization)?.[1];
    requests.push({
      method: incoming.method ?? '',
      path: incoming.url ?? '',
      accessKeyId,
      sessionToken: incoming.headers['x-amz-security-token'] as string | undefined,
    });
    const headers = {
      ...incoming.headers,
      ...(accessKeyId
        ? { authorization: authorization.replace(`Credential=${accessKeyId}/`, 'Credential=S3RVER/') }
        : {}),
    };
    const forwarded = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers },
      (response) => {
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(outgoing);
      },
    );
    forwarded.on('error', (error) => outgoing.destroy(error));
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A client that talks to s3rver directly, for arranging and inspecting buckets. */
export function directS3Client(): S3Client {
  return new S3Client({
    endpoint: s3Endpoint(),
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
}

export async function createBucket(client: S3Client, label: string): Promise<string> {
  const bucket = `${label}-${randomUUID().slice(0, 13)}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

export async function putObject(
  client: S3Client,
  bucket: string,
  key: string,
  body: Uint8Array | string,
): Promise<void> {
  await client.send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentLength: Buffer.byteLength(body) }),
  );
}

export async function getObject(client: S3Client, bucket: string, key: string): Promise<Buffer> {
  const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await response.Body!.transformToByteArray());
}

export async function listKeys(client: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    keys.push(...(page.Contents ?? []).map((object) => object.Key!));
    token = page.NextContinuationToken;
  } while (token);
  return keys.sort();
}

export interface BatchOutputs {
  readonly summary: DiscoverySummary;
  readonly lines: ManifestLine[];
  readonly partKeys: string[];
}

/** discovery.json and every manifest line (validated against the schema the embed worker reads with), in order. */
export async function readBatchOutputs(
  client: S3Client,
  bucket: string,
  datasetId: string,
  operationId: string,
): Promise<BatchOutputs> {
  const summary = JSON.parse(
    (await getObject(client, bucket, discoveryKey(datasetId, operationId))).toString(),
  ) as DiscoverySummary;
  const lines: ManifestLine[] = [];
  const partKeys: string[] = [];
  for (let part = 0; part < summary.n_parts; part += 1) {
    const key = manifestPartKey(datasetId, operationId, part);
    partKeys.push(key);
    const text = (await getObject(client, bucket, key)).toString();
    lines.push(...text.trimEnd().split('\n').map(parseManifestLine));
  }
  return { summary, lines, partKeys };
}

export function batchKeys(client: S3Client, bucket: string, datasetId: string, operationId: string): Promise<string[]> {
  return listKeys(client, bucket, batchPrefix(datasetId, operationId));
}

export interface DiscoverEnvInput {
  readonly endpoint: string;
  readonly bucket: string;
  readonly datasetId: string;
  readonly operationId: string;
  readonly sourceKind: 's3_uri' | 'staged_files' | 'staged_archive' | 'local_path';
  readonly sourceUri: string;
  readonly extra?: Record<string, string>;
}

/** The environment the state machine gives the discover container (docs/pipeline.md), pointed at the test servers. */
export function discoverEnv(input: DiscoverEnvInput): Record<string, string> {
  return {
    TASK: 'discover',
    BUCKET_NAME: input.bucket,
    TABLE_NAME: 'unused-by-discover',
    DATASET_ID: input.datasetId,
    OPERATION_ID: input.operationId,
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_S3: input.endpoint,
    S3_FORCE_PATH_STYLE: 'true',
    LOG_LEVEL: 'SILENT',
    SOURCE_KIND: input.sourceKind,
    SOURCE_URI: input.sourceUri,
    SOURCE_BUCKET_NAMES: '*',
    ...input.extra,
  };
}

export function newOperationId(): string {
  return `op-${randomUUID()}`;
}
