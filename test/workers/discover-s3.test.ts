import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMediaId } from '../../core/media/safe-names';
import { run } from '../../workers/discover/run';
import { WorkerError } from '../../workers/runtime/failure';
import { makeImage, makeVideo, truncated } from '../support/media-fixtures';
import {
  batchKeys,
  createBucket,
  directS3Client,
  discoverEnv,
  newOperationId,
  putObject,
  type RecordingProxy,
  readBatchOutputs,
  startRecordingProxy,
  useTaskRoleCredentials,
} from './discover-test-support';

useTaskRoleCredentials();

const DATASET = 'ds-s3';
let proxy: RecordingProxy;
let direct: S3Client;
let own: string;
let source: string;
let scratch: string;
const sizes = new Map<string, number>();

async function put(key: string, body: Uint8Array | string): Promise<void> {
  sizes.set(key, Buffer.byteLength(body));
  await putObject(direct, source, key, body);
}

function envFor(sourceUri: string, extra: Record<string, string> = {}) {
  return discoverEnv({
    endpoint: proxy.endpoint,
    bucket: own,
    datasetId: DATASET,
    operationId: newOperationId(),
    sourceKind: 's3_uri',
    sourceUri,
    extra,
  });
}

beforeAll(async () => {
  proxy = await startRecordingProxy();
  direct = directS3Client();
  [own, source] = await Promise.all([createBucket(direct, 'own'), createBucket(direct, 'src')]);
  scratch = await mkdtemp(join(tmpdir(), 'discover-s3-'));
  const jpeg = await makeImage({ seed: 1, width: 640, height: 480 });
  await Promise.all([
    put('photos/a.jpg', await makeImage({ seed: 2 })),
    put('photos/2024/b.png', await makeImage({ seed: 3, format: 'png' })),
    put('photos/2024/05/c.webp', await makeImage({ seed: 4, format: 'webp' })),
    put('photos/2024/05/clip.mp4', await readFile(await makeVideo(join(scratch, 'clip.mp4')))),
    put('photos/2024/labels.json', '{"not": "media"}'),
    put('photos/2024/05/fake.jpg', '<!doctype html><html><body>Not Found</body></html>'),
    put('photos/empty.png', ''),
    put('photos/2024/05/broken.jpg', truncated(jpeg, 0.5)),
    put('photos/mislabelled.jpg', await makeImage({ seed: 5, format: 'png' })),
    put('photos-other/outside.jpg', await makeImage({ seed: 6 })),
    put('lists/near.jpg', await makeImage({ seed: 7 })),
    put('only-junk/fake.jpg', '<html></html>'),
  ]);
});

afterAll(async () => {
  await proxy.close();
  await rm(scratch, { recursive: true, force: true });
});

describe('discover from an S3 folder', () => {
  it('checks every object under the prefix at every depth, page by page, keeping media where it is', async () => {
    const env = envFor(`s3://${source}/photos/`);
    const listCallsBefore = listCalls(source);

    const summary = await run(env, { listPageSize: 2 });

    const { lines, summary: written } = await readBatchOutputs(direct, own, DATASET, env.OPERATION_ID);
    expect(written).toEqual(summary);
    const inPlace = (key: string, type: string, mime: string) => ({
      type,
      mime,
      source_uri: `s3://${source}/${key}`,
      location: { bucket: source, key },
      bytes: sizes.get(key),
    });
    expect(lines.map(({ media_id: _, ...rest }) => rest)).toEqual([
      // truncated, but only embed decodes media kept in place: it skips it there (test/workers/embed-shard.test.ts)
      inPlace('photos/2024/05/broken.jpg', 'image', 'image/jpeg'),
      inPlace('photos/2024/05/c.webp', 'image', 'image/webp'),
      inPlace('photos/2024/05/clip.mp4', 'video', 'video/mp4'),
      inPlace('photos/2024/b.png', 'image', 'image/png'),
      inPlace('photos/a.jpg', 'image', 'image/jpeg'),
      inPlace('photos/mislabelled.jpg', 'image', 'image/png'),
    ]);
    // ids follow the candidates' order (skipped ones included), so a rerun names everything the same way
    expect(lines.map((line) => line.media_id)).toEqual(
      [0, 1, 2, 4, 5, 7].map((ordinal) => generateMediaId(env.OPERATION_ID, ordinal)),
    );
    expect(summary).toMatchObject({ n_images: 5, n_videos: 1, n_objects: 0, n_parts: 1, n_skipped: 2 });
    expect(summary.total_bytes).toBe(lines.reduce((sum, line) => sum + line.bytes, 0));
    expect(summary.skipped).toEqual([
      { name: `s3://${source}/photos/2024/05/fake.jpg`, reason: 'content is HTML text, not an image or video' },
      { name: `s3://${source}/photos/empty.png`, reason: 'empty file' },
    ]);
    expect(listCalls(source) - listCallsBefore).toBe(5); // 10 objects under photos/, 2 per page
  });

  it('fails with the API message and why each file was refused when the folder holds nothing usable, leaving nothing', async () => {
    const env = envFor(`s3://${source}/only-junk/`);
    await expect(run(env)).rejects.toThrow(
      new WorkerError(
        `Invalid S3 URI or no media files found at s3://${source}/only-junk/; skipped s3://${source}/only-junk/fake.jpg: content is HTML text, not an image or video`,
      ),
    );
    expect(await batchKeys(direct, own, DATASET, env.OPERATION_ID)).toEqual([]);
  });

  it.each([['s3://no-such-bucket-here/photos/'], ['s3://{source}/nothing-here/'], ['s3://Bad_Bucket/x/']])(
    'fails with the API message for %s',
    async (template) => {
      const uri = template.replace('{source}', source);
      await expect(run(envFor(uri))).rejects.toThrow(
        new WorkerError(`Invalid S3 URI or no media files found at ${uri}`),
      );
    },
  );
});

describe('discover from an S3 manifest', () => {
  async function discoverManifest(key: string, body: Uint8Array | string, extra: Record<string, string> = {}) {
    await put(key, body);
    const env = envFor(`s3://${source}/${key}`, extra);
    const summary = await run(env);
    const { lines } = await readBatchOutputs(direct, own, DATASET, env.OPERATION_ID);
    return {
      summary,
      keys: lines.map((line) =>
        'key' in line.location && line.location.bucket === source ? line.location.key : JSON.stringify(line.location),
      ),
    };
  }

  it('reads a .txt manifest: one location per line, relative to its folder, bucket-root and s3:// locations too', async () => {
    const body = [
      '# new media for the dataset',
      'near.jpg',
      '',
      '../photos/a.jpg',
      '   /photos/2024/b.png   ',
      `s3://${source}/photos/2024/05/c.webp`,
      'https://example.com/elsewhere.jpg',
      '../photos/missing.jpg',
      '../../above-the-root.jpg',
    ].join('\r\n');
    const { summary, keys } = await discoverManifest('lists/new.txt', body);
    expect(keys).toEqual(['lists/near.jpg', 'photos/a.jpg', 'photos/2024/b.png', 'photos/2024/05/c.webp']);
    expect(summary.skipped).toEqual([
      {
        name: `s3://${source}/lists/new.txt row 5: https://example.com/elsewhere.jpg`,
        reason: 'unsupported location scheme (use s3:// URIs or keys relative to the manifest)',
      },
      { name: `s3://${source}/photos/missing.jpg`, reason: 'object not found' },
      {
        name: `s3://${source}/lists/new.txt row 7: ../../above-the-root.jpg`,
        reason: 'invalid location: it climbs above the bucket root',
      },
    ]);
  });

  it("skips entries in our own bucket (another tenant's staging and datasets) or a bucket not allowed, reading none", async () => {
    const stolen = ['staging/ds-other/op-1/files/0-a.jpg', 'datasets/ds-other/batches/op-2/media/m.jpg'];
    for (const key of stolen) await putObject(direct, own, key, await makeImage({ seed: 9 }));
    const other = await createBucket(direct, 'other');
    await putObject(direct, other, 'x.jpg', await makeImage({ seed: 10 }));
    const body = [...stolen.map((key) => `s3://${own}/${key}`), `s3://${other}/x.jpg`, 'near.jpg'].join('\n');
    await put('lists/cross-tenant.txt', body);
    const before = proxy.requests.length;

    const env = envFor(`s3://${source}/lists/cross-tenant.txt`, { SOURCE_BUCKET_NAMES: `${source},unrelated-*` });
    const summary = await run(env);

    const { lines } = await readBatchOutputs(direct, own, DATASET, env.OPERATION_ID);
    expect(lines.map((line) => line.location)).toEqual([{ bucket: source, key: 'lists/near.jpg' }]);
    const reason =
      'location not allowed: its bucket is not a permitted source (SOURCE_BUCKET_NAMES, or read through assume_role)';
    expect(summary.skipped).toEqual([
      { name: `s3://${own}/${stolen[0]}`, reason },
      { name: `s3://${own}/${stolen[1]}`, reason },
      { name: `s3://${other}/x.jpg`, reason },
    ]);
    const reads = proxy.requests
      .slice(before)
      .filter((request) => request.method === 'GET' || request.method === 'HEAD');
    expect(reads.filter((request) => request.path.includes('ds-other') || request.path.includes(other))).toEqual([]);
  });

  it('refuses a source in our own bucket before reading it', async () => {
    const env = envFor(`s3://${own}/staging/`);
    await expect(run(env)).rejects.toThrow(
      new WorkerError(`Invalid S3 URI or no media files found at s3://${own}/staging/`),
    );
  });

  it.each(['path', 'S3_URI', 'Uri', 'url', 'KEY', 'filename'])(
    'reads a .csv manifest whose location column is named %s',
    async (header) => {
      const body = `id,${header},label\n1,near.jpg,first\n"2","../photos/a.jpg","quoted, with a comma"\n3,,empty location\n`;
      const { summary, keys } = await discoverManifest(`lists/by-${header}.csv`, body);
      expect(keys).toEqual(['lists/near.jpg', 'photos/a.jpg']);
      expect(summary.skipped).toEqual([
        { name: `s3://${source}/lists/by-${header}.csv row 3`, reason: 'empty location' },
      ]);
    },
  );

  it('prefers the first accepted column name when a csv has several', async () => {
    const { keys } = await discoverManifest('lists/two-columns.csv', 'filename,path\nmissing.jpg,near.jpg\n');
    expect(keys).toEqual(['lists/near.jpg']);
  });

  it('reads a .parquet manifest from its location column', async () => {
    const body = parquetWriteBuffer({
      columnData: [
        {
          name: 'Key',
          data: ['near.jpg', '../photos/a.jpg', null, `s3://${source}/photos/2024/b.png`],
          type: 'STRING',
        },
        { name: 'label', data: [1, 2, 3, 4], type: 'INT32' },
      ],
    });
    const { summary, keys } = await discoverManifest('lists/new.parquet', new Uint8Array(body));
    expect(keys).toEqual(['lists/near.jpg', 'photos/a.jpg', 'photos/2024/b.png']);
    expect(summary.skipped).toEqual([{ name: `s3://${source}/lists/new.parquet row 3`, reason: 'empty location' }]);
  });

  it('refuses a csv manifest without a location column', async () => {
    await put('lists/no-column.csv', 'id,label\n1,x\n');
    await expect(run(envFor(`s3://${source}/lists/no-column.csv`))).rejects.toThrow(
      `Manifest s3://${source}/lists/no-column.csv has no location column; name one of: path, s3_uri, uri, url, key, filename`,
    );
  });

  it('refuses a csv manifest that is not valid CSV', async () => {
    await put('lists/broken.csv', 'path\n"near.jpg\n');
    await expect(run(envFor(`s3://${source}/lists/broken.csv`))).rejects.toThrow(
      new RegExp(`^Manifest s3://${source}/lists/broken\\.csv is not valid CSV: `),
    );
  });

  const threeRows: Record<string, () => Uint8Array | string> = {
    txt: () => 'near.jpg\nnear.jpg\nnear.jpg\n',
    csv: () => 'path\nnear.jpg\nnear.jpg\nnear.jpg\n',
    parquet: () =>
      new Uint8Array(
        parquetWriteBuffer({
          columnData: [{ name: 'path', data: ['near.jpg', 'near.jpg', 'near.jpg'], type: 'STRING' }],
        }),
      ),
  };

  it.each(Object.keys(threeRows))('fails a .%s manifest with more rows than MAX_MANIFEST_ROWS', async (format) => {
    const key = `lists/three-rows.${format}`;
    await put(key, threeRows[format]!());
    const env = envFor(`s3://${source}/${key}`, { MAX_MANIFEST_ROWS: '2' });
    await expect(run(env)).rejects.toThrow(
      new WorkerError(`Manifest s3://${source}/${key} has more than 2 rows (MAX_MANIFEST_ROWS)`),
    );
    expect(await batchKeys(direct, own, DATASET, env.OPERATION_ID)).toEqual([]);
  });

  const longLine = `${'deep/'.repeat(20)}near.jpg`;
  const withLongLine: Record<string, [() => Uint8Array | string, number]> = {
    txt: [() => `near.jpg\n${longLine}\n`, 2],
    csv: [() => `path\nnear.jpg\n${longLine}\n`, 3],
    parquet: [
      () =>
        new Uint8Array(
          parquetWriteBuffer({ columnData: [{ name: 'path', data: ['near.jpg', longLine], type: 'STRING' }] }),
        ),
      2,
    ],
  };

  it.each(Object.keys(withLongLine))(
    'fails a .%s manifest with a line longer than MAX_MANIFEST_LINE_BYTES',
    async (format) => {
      const key = `lists/long-line.${format}`;
      const [body, line] = withLongLine[format]!;
      await put(key, body());
      await expect(run(envFor(`s3://${source}/${key}`, { MAX_MANIFEST_LINE_BYTES: '64' }))).rejects.toThrow(
        new WorkerError(
          `Manifest s3://${source}/${key} has a line longer than 64 bytes (line ${line}; MAX_MANIFEST_LINE_BYTES)`,
        ),
      );
    },
  );

  it('stops reading a manifest without newlines at the line limit instead of buffering it', async () => {
    await put('lists/one-huge-line.txt', 'x'.repeat(8 * 1024 ** 2));
    await expect(run(envFor(`s3://${source}/lists/one-huge-line.txt`))).rejects.toThrow(
      /has a line longer than 4096 bytes \(line 1;/,
    );
  });
});

function listCalls(bucket: string): number {
  return proxy.requests.filter(
    (request) =>
      request.method === 'GET' && request.path.startsWith(`/${bucket}`) && request.path.includes('list-type=2'),
  ).length;
}
