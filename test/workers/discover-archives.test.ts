import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  discoveryKey,
  manifestPartKey,
  mediaObjectKey,
  stagedArchivePrefix,
  stagedFilesPrefix,
} from '../../core/store/batch-paths';
import { run } from '../../workers/discover/run';
import { WorkerError } from '../../workers/runtime/failure';
import {
  type ArchiveEntrySpec,
  makeImage,
  makeTar,
  makeTgz,
  makeVideo,
  makeZip,
  truncated,
} from '../support/media-fixtures';
import {
  batchKeys,
  createBucket,
  directS3Client,
  discoverEnv,
  getObject,
  newOperationId,
  putObject,
  type RecordingProxy,
  readBatchOutputs,
  startRecordingProxy,
  useTaskRoleCredentials,
} from './discover-test-support';

useTaskRoleCredentials();

const DATASET = 'ds-archives';
let proxy: RecordingProxy;
let direct: S3Client;
let own: string;
let scratch: string;
let media: Record<'cat' | 'dog' | 'clip' | 'pngNamedJpg' | 'broken', Buffer>;

beforeAll(async () => {
  proxy = await startRecordingProxy();
  direct = directS3Client();
  own = await createBucket(direct, 'own');
  scratch = await mkdtemp(join(tmpdir(), 'discover-archives-'));
  media = {
    cat: await makeImage({ seed: 1 }),
    dog: await makeImage({ seed: 2, format: 'png' }),
    clip: await readFile(await makeVideo(join(scratch, 'clip.mp4'))),
    pngNamedJpg: await makeImage({ seed: 3, format: 'png' }),
    broken: truncated(await makeImage({ seed: 4, width: 320, height: 240 }), 0.6),
  };
});

afterAll(async () => {
  await proxy.close();
  await rm(scratch, { recursive: true, force: true });
});

function envFor(
  operationId: string,
  sourceKind: 'staged_files' | 'staged_archive',
  sourceUri: string,
  extra: Record<string, string> = {},
) {
  return discoverEnv({
    endpoint: proxy.endpoint,
    bucket: own,
    datasetId: DATASET,
    operationId,
    sourceKind,
    sourceUri,
    extra,
  });
}

async function stageArchive(operationId: string, name: string, bytes: Buffer): Promise<string> {
  const key = `${stagedArchivePrefix(DATASET, operationId)}${name}`;
  await putObject(direct, own, key, bytes);
  return `s3://${own}/${key}`;
}

const BUILDERS = { zip: makeZip, tar: makeTar, 'tar.gz': makeTgz } as const;

describe('discover from a staged archive', () => {
  it.each(['zip', 'tar', 'tar.gz'] as const)(
    'copies the media of a %s into the batch under generated names and reports the rest',
    async (format) => {
      const entries: ArchiveEntrySpec[] = [
        { name: 'photos/', type: 'directory' },
        { name: 'photos/cat.jpg', data: media.cat },
        { name: 'photos/dog.png', data: media.dog },
        { name: 'photos/clip.mp4', data: media.clip },
        { name: 'photos/looks-like.jpg', data: media.pngNamedJpg },
        { name: 'photos/page.jpg', data: '<!DOCTYPE html><html></html>' },
        { name: 'photos/broken.jpg', data: media.broken },
        { name: 'README.txt', data: 'hello' },
        { name: '__MACOSX/photos/._cat.jpg', data: Buffer.from([0, 5, 22, 7, 0, 2, 0, 0]) },
        { name: 'photos/empty.gif', data: '' },
      ];
      const operationId = newOperationId();
      const archiveUri = await stageArchive(operationId, `photos.${format}`, BUILDERS[format](entries));

      const summary = await run(envFor(operationId, 'staged_archive', archiveUri));

      const { lines } = await readBatchOutputs(direct, own, DATASET, operationId);
      const copied = (
        entry: string,
        type: string,
        mime: string,
        ext: string,
        bytes: Buffer,
        line: (typeof lines)[number],
      ) => {
        expect(line).toEqual({
          media_id: line.media_id,
          type,
          mime,
          source_uri: `${archiveUri}#photos/${entry}`,
          location: { bucket: own, key: mediaObjectKey(DATASET, operationId, line.media_id, ext) },
          bytes: bytes.length,
        });
      };
      expect(lines).toHaveLength(4);
      copied('cat.jpg', 'image', 'image/jpeg', 'jpg', media.cat, lines[0]!);
      copied('dog.png', 'image', 'image/png', 'png', media.dog, lines[1]!);
      copied('clip.mp4', 'video', 'video/mp4', 'mp4', media.clip, lines[2]!);
      copied('looks-like.jpg', 'image', 'image/png', 'png', media.pngNamedJpg, lines[3]!);
      for (const [line, bytes] of [
        [lines[0]!, media.cat],
        [lines[2]!, media.clip],
      ] as const) {
        expect(await getObject(direct, own, (line.location as { key: string }).key)).toEqual(bytes);
      }
      expect(summary).toMatchObject({ n_images: 3, n_videos: 1, n_skipped: 4, n_parts: 1 });
      expect(summary.skipped).toEqual([
        { name: 'photos/page.jpg', reason: 'content is HTML text, not an image or video' },
        { name: 'photos/broken.jpg', reason: expect.stringMatching(/^image cannot be decoded \(/) },
        { name: 'README.txt', reason: 'unsupported file extension .txt' },
        { name: 'photos/empty.gif', reason: 'empty file' },
      ]);
      expect(await batchKeys(direct, own, DATASET, operationId)).toEqual(
        [
          ...lines.map((line) => (line.location as { key: string }).key),
          discoveryKey(DATASET, operationId),
          manifestPartKey(DATASET, operationId, 0),
        ].sort(),
      );
    },
  );

  it.each<[string, 'zip' | 'tar' | 'tar.gz', ArchiveEntrySpec, string]>([
    [
      'a path escaping the archive',
      'zip',
      { name: '../evil.jpg', data: 'x' },
      "entry '../evil.jpg' has a '..' segment that escapes the archive",
    ],
    [
      'a symbolic link',
      'tar.gz',
      { name: 'photos/link.jpg', type: 'symlink', target: '/etc/shadow' },
      "entry 'photos/link.jpg' is a symbolic link",
    ],
    [
      'a hard link',
      'tar',
      { name: 'photos/hard.jpg', type: 'hardlink', target: 'photos/ok.jpg' },
      "entry 'photos/hard.jpg' is a hard link",
    ],
    ['a device', 'tar', { name: 'photos/dev.jpg', type: 'char-device' }, "entry 'photos/dev.jpg' is a device"],
  ])('fails the whole operation on %s and removes what it had already copied', async (_, format, hostile, problem) => {
    const operationId = newOperationId();
    const uri = await stageArchive(
      operationId,
      `evil.${format}`,
      BUILDERS[format]([{ name: 'photos/ok.jpg', data: media.cat }, hostile]),
    );
    await expect(run(envFor(operationId, 'staged_archive', uri))).rejects.toThrow(
      new WorkerError(`Unsafe archive evil.${format}: ${problem}`),
    );
    expect(await batchKeys(direct, own, DATASET, operationId)).toEqual([]);
  });

  it('applies the archive limits from the environment', async () => {
    const operationId = newOperationId();
    const entries = [1, 2, 3].map((seed) => ({ name: `p${seed}.jpg`, data: media.cat }));
    const uri = await stageArchive(operationId, 'many.zip', makeZip(entries));
    await expect(run(envFor(operationId, 'staged_archive', uri, { MAX_ARCHIVE_ENTRIES: '2' }))).rejects.toThrow(
      'Unsafe archive many.zip: has more than 2 entries',
    );
  });

  it('fails a compression bomb by its ratio', async () => {
    const operationId = newOperationId();
    const uri = await stageArchive(
      operationId,
      'bomb.zip',
      makeZip([{ name: 'zeros.bmp', data: Buffer.alloc(16 * 1024 ** 2) }]),
    );
    await expect(run(envFor(operationId, 'staged_archive', uri))).rejects.toThrow(
      'Unsafe archive bomb.zip: expands more than 200 times its size (a compression bomb?)',
    );
  });

  it('fails with an upload message (never an S3 one) when the archive holds nothing usable', async () => {
    const operationId = newOperationId();
    const uri = await stageArchive(operationId, 'junk.tar', makeTar([{ name: 'notes.txt', data: 'hi' }]));
    const failure = run(envFor(operationId, 'staged_archive', uri));
    await expect(failure).rejects.toThrow(/^No usable media in the uploaded archive/);
    await expect(failure).rejects.not.toThrow(/S3/);
  });

  it("refuses an archive outside this operation's staging prefix", async () => {
    const operationId = newOperationId();
    const elsewhere = await stageArchive(newOperationId(), 'photos.zip', makeZip([{ name: 'a.jpg', data: media.cat }]));
    await expect(run(envFor(operationId, 'staged_archive', elsewhere))).rejects.toThrow(
      /^A staged source must be under s3:\/\//,
    );
  });
});

describe('discover from staged uploads', () => {
  it('copies each usable upload under a generated name and reports the others by their uploaded names', async () => {
    const operationId = newOperationId();
    const folder = stagedFilesPrefix(DATASET, operationId);
    await Promise.all([
      putObject(direct, own, `${folder}0-cat.jpg`, media.cat),
      putObject(direct, own, `${folder}1-clip.mp4`, media.clip),
      putObject(direct, own, `${folder}2-notes.jpg`, 'I am not a picture'),
      putObject(direct, own, `${folder}3-photo.JPG`, media.pngNamedJpg),
    ]);

    const summary = await run(envFor(operationId, 'staged_files', `s3://${own}/${folder}`));

    const { lines } = await readBatchOutputs(direct, own, DATASET, operationId);
    expect(lines.map((line) => [line.source_uri, line.mime, (line.location as { key: string }).key])).toEqual([
      [`s3://${own}/${folder}0-cat.jpg`, 'image/jpeg', mediaObjectKey(DATASET, operationId, lines[0]!.media_id, 'jpg')],
      [`s3://${own}/${folder}1-clip.mp4`, 'video/mp4', mediaObjectKey(DATASET, operationId, lines[1]!.media_id, 'mp4')],
      [
        `s3://${own}/${folder}3-photo.JPG`,
        'image/png',
        mediaObjectKey(DATASET, operationId, lines[2]!.media_id, 'png'),
      ],
    ]);
    expect(await getObject(direct, own, (lines[2]!.location as { key: string }).key)).toEqual(media.pngNamedJpg);
    expect(summary.skipped).toEqual([{ name: 'notes.jpg', reason: 'content is text, not an image or video' }]);
  });
});
