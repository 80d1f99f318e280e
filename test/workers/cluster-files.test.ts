import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeLabels, putFile, readLabels } from '../../workers/cluster/clustering-files';
import type { TestBucket } from '../support/servers';
import { createWorkerBucket } from './embed-support';

describe('clustering files', () => {
  let bucket: TestBucket;
  const folder = mkdtempSync(join(tmpdir(), 'clustering-files-'));
  beforeAll(async () => {
    bucket = await createWorkerBucket();
  });

  it.each([
    ['in one request', 3_000_000, 64 * 1024 * 1024],
    ['in parts', 12_000_000, 5 * 1024 * 1024],
  ])('uploads a file %s, byte for byte', async (_, size, partBytes) => {
    const body = randomBytes(size);
    const path = join(folder, `f-${size}`);
    writeFileSync(path, body);
    await putFile(bucket.client, bucket.bucket, `files/${size}`, path, partBytes);
    const object = await bucket.client.send(new GetObjectCommand({ Bucket: bucket.bucket, Key: `files/${size}` }));
    expect(Buffer.from(await object.Body!.transformToByteArray()).equals(body)).toBe(true);
  });

  it('reads the cluster numbers of single rows from labels.u32', () => {
    const path = join(folder, 'labels.u32');
    writeFileSync(path, encodeLabels(Int32Array.from([4, 0, 70000, 2])));
    expect(readLabels(path, [2, 0, 2])).toEqual(new Map([[2, 70000], [0, 4]]));
    expect(() => readLabels(path, [4])).toThrow(/no row 4/);
  });
});
