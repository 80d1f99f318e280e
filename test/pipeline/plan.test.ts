import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestBucket, TestTable } from '../support/servers';
import {
  dataset,
  discovery,
  executionInput,
  objectKeys,
  putObject,
  readJson,
  seedDataset,
  startPipelineServers,
} from './pipeline-fixtures';

let table: TestTable;
let bucket: TestBucket;
let handler: typeof import('../../lambdas/plan/handler').handler;

beforeAll(async () => {
  ({ table, bucket } = await startPipelineServers());
  ({ handler } = await import('../../lambdas/plan/handler'));
});

const batchKey = (datasetId: string, operationId: string, name: string) =>
  `datasets/${datasetId}/batches/${operationId}/${name}`;

describe('plan Lambda', () => {
  it('plans from discovery.json, writes plan.json, and records shards_total and progress 5', async () => {
    const seeded = await seedDataset(table, { lock: { taskType: 'MEDIA_ADDITION' } });
    await putObject(
      bucket,
      batchKey(seeded.datasetId, seeded.operationId, 'discovery.json'),
      discovery({ n_images: 120_000, n_videos: 0, n_parts: 120 }),
    );

    const plan = await handler(executionInput(seeded));

    expect(plan).toMatchObject({
      device: 'gpu',
      max_concurrency: 3,
      shards: [
        { index: 0, part_start: 0, part_end: 40 },
        { index: 1, part_start: 40, part_end: 80 },
        { index: 2, part_start: 80, part_end: 120 },
      ],
      capacity: {
        primary: [{ CapacityProvider: 'gpu-spot', Weight: 1 }],
        fallback: [{ CapacityProvider: 'gpu-on-demand', Weight: 1 }],
      },
      task_definition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/gpu:1',
      network: {
        AwsvpcConfiguration: {
          Subnets: ['subnet-a', 'subnet-b'],
          SecurityGroups: ['sg-1'],
          AssignPublicIp: 'DISABLED',
        },
      },
    });
    expect(await readJson(bucket, batchKey(seeded.datasetId, seeded.operationId, 'plan.json'))).toEqual(plan);
    expect(await dataset(table, seeded.datasetId)).toMatchObject({
      shards_total: 3,
      shards_done: 0,
      progress: 5,
      status: 'UPDATING',
    });
  });

  it('sizes by the overrides and honours use_spot from the input', async () => {
    const seeded = await seedDataset(table, { lock: { taskType: 'MEDIA_ADDITION' } });
    await putObject(
      bucket,
      batchKey(seeded.datasetId, seeded.operationId, 'discovery.json'),
      discovery({ n_images: 5, n_videos: 0 }),
    );

    const plan = await handler(
      executionInput(seeded, { use_spot: false, overrides: { batch_n_images: 100_000, batch_n_videos: null } }),
    );

    expect(plan).toMatchObject({
      device: 'gpu',
      shards: [{ index: 0, part_start: 0, part_end: 1 }],
      use_spot: false,
      capacity: { primary: [{ CapacityProvider: 'gpu-on-demand', Weight: 1 }] },
      sizing: { n_images: 100_000, image_equivalents: 100_000 },
    });
  });

  it('changes nothing and fails when another operation holds the lock', async () => {
    const seeded = await seedDataset(table, { lock: { taskType: 'MEDIA_ADDITION' } });
    const stale = { ...seeded, operationId: randomUUID() };
    await putObject(bucket, batchKey(seeded.datasetId, stale.operationId, 'discovery.json'), discovery());
    const before = await dataset(table, seeded.datasetId);

    await expect(handler(executionInput(stale))).rejects.toMatchObject({ name: 'OperationSuperseded' });

    expect(await dataset(table, seeded.datasetId)).toEqual(before);
    expect(await objectKeys(bucket, batchKey(seeded.datasetId, stale.operationId, ''))).toEqual([
      batchKey(seeded.datasetId, stale.operationId, 'discovery.json'),
    ]);
  });

  it('fails with the missing key when discovery.json is absent', async () => {
    const seeded = await seedDataset(table, { lock: { taskType: 'MEDIA_ADDITION' } });
    const before = await dataset(table, seeded.datasetId);
    await expect(handler(executionInput(seeded))).rejects.toMatchObject({
      name: 'MissingArtifact',
      message: `s3://${bucket.bucket}/${batchKey(seeded.datasetId, seeded.operationId, 'discovery.json')} does not exist`,
    });
    expect(await dataset(table, seeded.datasetId)).toEqual(before);
  });

  it('rejects an input without dataset_id, naming the field', async () => {
    await expect(
      handler({ operation_id: 'x', operation: 'add_media', task_type: 'MEDIA_ADDITION' }),
    ).rejects.toMatchObject({
      name: 'InvalidPipelineEvent',
      message: expect.stringContaining('dataset_id'),
    });
  });
});
