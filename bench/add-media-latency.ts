/**
 * p50/p99 latency of the add_media handler, measured in-process against AWS DynamoDB Local and s3rver, with only
 * StartExecution mocked. Each request goes to its own READY dataset, so every one runs the full path (parse, sniff,
 * dataset read, S3 pre-check or staging, lock, StartExecution); requests run one after another.
 *
 *   npx tsx bench/add-media-latency.ts [N=300]
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { ApiConfig } from '../core/config/api-config';
import { newDatasetRecord, putNewDataset } from '../core/datasets/dataset-repository';
import { TEST_EMBEDDING_CONFIG } from '../core/datasets/embedding-config';
import type { OperationContext } from '../core/operations/operation-context';
import { createTableInput } from '../core/store/table-schema';
import { createAddMediaHandler } from '../lambdas/add-media/handler';
import { startS3Server } from '../local/embedded/s3-server';
import { addMediaEvent } from '../test/support/api-events';
import { startDynamoDbLocal } from '../test/support/dynamodb-local';
import { makeImage } from '../test/support/media-fixtures';

const N = Number(process.argv[2] ?? 300);
const WARM_UP = 20;
const REGION = 'us-east-1';
const S3RVER = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const CALLER = { sub: 'bench-user' };

async function main(): Promise<void> {
  const s3Directory = mkdtempSync(join(tmpdir(), 'bench-s3-'));
  const [dynamo, s3Server] = await Promise.all([startDynamoDbLocal(), startS3Server({ directory: s3Directory })]);
  try {
    const raw = new DynamoDBClient({ endpoint: dynamo.endpoint, region: REGION, credentials: S3RVER });
    const tableName = `bench-${randomUUID()}`;
    await raw.send(new CreateTableCommand(createTableInput(tableName)));
    const s3 = new S3Client({ endpoint: s3Server.endpoint, region: REGION, credentials: S3RVER, forcePathStyle: true });
    const [bucket, sourceBucket] = ['bench-bucket', 'bench-source'];
    for (const name of [bucket, sourceBucket]) await s3.send(new CreateBucketCommand({ Bucket: name }));

    const jpeg = await makeImage({ seed: 1, width: 64, height: 48 });
    await s3.send(new PutObjectCommand({ Bucket: sourceBucket, Key: 'folder/photo.jpg', Body: jpeg }));
    mockClient(SFNClient)
      .on(StartExecutionCommand)
      .resolves({ executionArn: 'arn:aws:states:us-east-1:123456789012:execution:add-media:x', startDate: new Date() });

    const config: ApiConfig = {
      tableName,
      bucketName: bucket,
      addMediaStateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:add-media',
      reindexStateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:reindex',
      addMediaEnabled: true,
      allowedAssumeRoleArns: [],
      assumeRoleExternalId: undefined,
      defaultEmbeddingConfig: TEST_EMBEDDING_CONFIG,
      maxUploadBytes: 4 * 1024 * 1024,
      allowedOrigins: [],
      sourceBucketNames: [sourceBucket],
      localPathsAllowed: false,
      localMediaRoots: [],
      servicePaths: [],
      maxDatasetsPerUser: 1000,
      maxActiveOperationsPerUser: 4,
      mediaLinks: 'presigned',
      mediaUrlExpirySeconds: 900,
    };
    const documents = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
    const context: OperationContext = {
      config,
      dynamo: documents,
      s3,
      sfn: new SFNClient({ region: REGION, credentials: S3RVER }),
      sts: new STSClient({ region: REGION, credentials: S3RVER }),
      assumedRoleS3: () => s3,
      logger: new Logger({ logLevel: 'SILENT' }),
    };
    const handler = createAddMediaHandler(() => context);

    const seed = async () => {
      const id = randomUUID();
      const record = newDatasetRecord({
        id,
        displayName: 'bench',
        owner: CALLER.sub,
        now: new Date(),
        embeddingConfig: TEST_EMBEDDING_CONFIG,
      });
      await putNewDataset(documents, tableName, record);
      return id;
    };
    const scenarios: [string, (id: string) => APIGatewayProxyEvent][] = [
      [
        `files[] (one ${jpeg.length}-byte JPEG)`,
        (id) => addMediaEvent(id, [{ name: 'files[]', filename: 'photo.jpg', content: jpeg }], CALLER),
      ],
      [
        's3_uri (folder, ListObjectsV2 pre-check)',
        (id) => addMediaEvent(id, [{ name: 's3_uri', value: `s3://${sourceBucket}/folder/` }], CALLER),
      ],
    ];

    console.log(
      `add_media handler latency, N=${N} sequential requests per source (after ${WARM_UP} warm-up), DynamoDB Local + s3rver`,
    );
    for (const [name, eventFor] of scenarios) {
      const events = await Promise.all(Array.from({ length: N + WARM_UP }, async () => eventFor(await seed())));
      const latencies: number[] = [];
      for (const [index, event] of events.entries()) {
        const started = performance.now();
        const response = await handler(event);
        const elapsed = performance.now() - started;
        if (response.statusCode !== 202)
          throw new Error(`${name}: expected 202, got ${response.statusCode} ${response.body}`);
        if (index >= WARM_UP) latencies.push(elapsed);
      }
      latencies.sort((a, b) => a - b);
      const mean = latencies.reduce((sum, value) => sum + value, 0) / latencies.length;
      console.log(
        `${name.padEnd(42)} p50 ${percentile(latencies, 50).toFixed(1)} ms  p99 ${percentile(latencies, 99).toFixed(1)} ms  ` +
          `mean ${mean.toFixed(1)} ms  max ${latencies.at(-1)!.toFixed(1)} ms`,
      );
    }
  } finally {
    await Promise.all([dynamo.stop(), s3Server.stop()]);
    rmSync(s3Directory, { recursive: true, force: true });
  }
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

await main();
