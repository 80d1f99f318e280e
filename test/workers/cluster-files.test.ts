import { randomBytes } from 'node:crypto';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { putLargeBytes } from '../../workers/cluster/clustering-files';
import type { TestBucket } from '../support/servers';
import { createWorkerBucket } from './embed-support';

describe('clustering files', () => {
  let bucket: TestBucket;
  beforeAll(async () => {
    bucket = await createWorkerBucket();
  });

  it.each([
    ['in one request', 3_000_000, 64 * 1024 * 1024],
    ['in parts', 12_000_000, 5 * 1024 * 1024],
  ])('uploads bytes %s, byte for byte', async (_, size, partBytes) => {
    const body = randomBytes(size);
    await putLargeBytes(bucket.client, bucket.bucket, `files/${size}`, body, partBytes);
    const object = await bucket.client.send(new GetObjectCommand({ Bucket: bucket.bucket, Key: `files/${size}` }));
    expect(Buffer.from(await object.Body!.transformToByteArray()).equals(body)).toBe(true);
  });
});
