import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ArchiveSource, archiveEntries, inspectArchive } from '../../core/media/archive-extract';
import { detectArchiveFormat } from '../../core/media/archive-format';
import { type ArchiveLimits, ArchiveRejectedError, DEFAULT_ARCHIVE_LIMITS } from '../../core/media/archive-safety';
import { type ArchiveEntrySpec, makeTar, makeTgz, makeZip } from '../support/media-fixtures';

type Format = 'zip' | 'tar' | 'tar.gz';
const BUILDERS: Record<Format, (entries: ArchiveEntrySpec[]) => Buffer> = {
  zip: makeZip,
  tar: makeTar,
  'tar.gz': makeTgz,
};
const FORMATS: Format[] = ['zip', 'tar', 'tar.gz'];

const HONEST: ArchiveEntrySpec[] = [
  { name: 'photos/', type: 'directory' },
  { name: 'photos/a.jpg', data: 'first file' },
  { name: 'photos/deeper/b.png', data: Buffer.alloc(70_000, 7) },
  { name: 'notes.txt', data: '' },
];

async function collect(source: ArchiveSource, limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS) {
  const files: { path: string; index: number; bytes: Buffer }[] = [];
  const unreadable: { path: string; reason: string }[] = [];
  for await (const entry of archiveEntries(source, { name: 'upload.bin', limits })) {
    if (entry.kind === 'file') files.push({ path: entry.path, index: entry.index, bytes: await buffer(entry.stream) });
    else unreadable.push({ path: entry.path, reason: entry.reason });
  }
  return { files, unreadable };
}

async function rejection(
  source: ArchiveSource,
  limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS,
): Promise<ArchiveRejectedError> {
  const error = await collect(source, limits).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ArchiveRejectedError);
  return error as ArchiveRejectedError;
}

describe('archiveEntries', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'archive-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe.each(FORMATS)('%s', (format) => {
    const build = BUILDERS[format];

    it('streams every regular file with its bytes and position, skipping directories', async () => {
      const { files, unreadable } = await collect({ bytes: build(HONEST) });
      expect(unreadable).toEqual([]);
      expect(files.map(({ path, index }) => ({ path, index }))).toEqual([
        { path: 'photos/a.jpg', index: 1 },
        { path: 'photos/deeper/b.png', index: 2 },
        { path: 'notes.txt', index: 3 },
      ]);
      expect(files[0]!.bytes.toString()).toBe('first file');
      expect(files[1]!.bytes).toEqual(Buffer.alloc(70_000, 7));
      expect(files[2]!.bytes.length).toBe(0);
    });

    it('reads the same archive from a file on disk', async () => {
      const path = join(dir, `honest-${format.replace('.', '-')}`);
      await writeFile(path, build(HONEST));
      const { files } = await collect({ path });
      expect(files.map((file) => file.path)).toEqual(['photos/a.jpg', 'photos/deeper/b.png', 'notes.txt']);
    });

    it('drains an entry the consumer did not read', async () => {
      const paths: string[] = [];
      for await (const entry of archiveEntries({ bytes: build(HONEST) }, { name: 'x', limits: DEFAULT_ARCHIVE_LIMITS }))
        paths.push(entry.path);
      expect(paths).toEqual(['photos/a.jpg', 'photos/deeper/b.png', 'notes.txt']);
    });

    it.each([
      ['../evil.jpg', "has a '..' segment that escapes the archive"],
      ['photos/../../evil.jpg', "has a '..' segment that escapes the archive"],
      ['/etc/cron.d/evil', 'has an absolute path'],
      ['photos\\..\\evil.jpg', 'has a backslash in its name'],
      ['C:/Windows/evil.jpg', 'has a drive letter'],
    ])('refuses the whole archive when an entry is named %s', async (name, problem) => {
      const error = await rejection({
        bytes: build([
          { name: 'ok.jpg', data: 'fine' },
          { name, data: 'evil' },
        ]),
      });
      expect(error.problem).toBe('unsafe');
      expect(error.message).toBe(`Unsafe archive upload.bin: entry '${name}' ${problem}`);
    });

    it.each([
      ['symlink', 'is a symbolic link'],
      ['char-device', 'is a device'],
      ['block-device', 'is a device'],
      ['fifo', 'is a FIFO'],
    ] as const)('refuses the whole archive when it holds a %s', async (type, problem) => {
      const special: ArchiveEntrySpec =
        type === 'symlink' ? { name: 'link.jpg', type, target: '/etc/passwd' } : { name: 'dev.jpg', type };
      const error = await rejection({ bytes: build([{ name: 'ok.jpg', data: 'fine' }, special]) });
      expect(error.message).toBe(`Unsafe archive upload.bin: entry '${special.name}' ${problem}`);
    });

    it('refuses an archive with more entries than allowed', async () => {
      const entries = Array.from({ length: 5 }, (_, i) => ({ name: `f${i}.jpg`, data: 'x' }));
      const error = await rejection({ bytes: build(entries) }, { ...DEFAULT_ARCHIVE_LIMITS, maxEntries: 4 });
      expect(error.message).toBe('Unsafe archive upload.bin: has more than 4 entries');
    });

    it('refuses an entry larger than the per-entry cap, counting bytes as they stream', async () => {
      const error = await rejection(
        { bytes: build([{ name: 'big.jpg', data: Buffer.alloc(300_000, 1) }]) },
        { ...DEFAULT_ARCHIVE_LIMITS, maxEntryBytes: 100_000 },
      );
      expect(error.message).toBe("Unsafe archive upload.bin: entry 'big.jpg' expands beyond 100000 bytes");
    });

    it('refuses an archive whose files add up to more than the byte cap', async () => {
      const entries = Array.from({ length: 4 }, (_, i) => ({ name: `f${i}.jpg`, data: Buffer.alloc(100_000, i) }));
      const error = await rejection({ bytes: build(entries) }, { ...DEFAULT_ARCHIVE_LIMITS, maxTotalBytes: 250_000 });
      expect(error.message).toBe('Unsafe archive upload.bin: expands beyond 250000 bytes');
    });

    it('refuses a truncated archive as corrupt', async () => {
      const whole = build([{ name: 'a.jpg', data: Buffer.alloc(50_000, 3).map((_, i) => (i * 7919) % 251) }]);
      const error = await rejection({ bytes: whole.subarray(0, Math.floor(whole.length / 2)) });
      expect(error.problem).toBe('corrupt');
      expect(error.message).toMatch(/^Corrupt archive upload\.bin: /);
    });
  });

  it('refuses a tar holding a hard link', async () => {
    const error = await rejection({
      bytes: makeTar([
        { name: 'a.jpg', data: 'x' },
        { name: 'b.jpg', type: 'hardlink', target: 'a.jpg' },
      ]),
    });
    expect(error.message).toBe("Unsafe archive upload.bin: entry 'b.jpg' is a hard link");
  });

  it.each(['zip', 'tar.gz'] as const)('refuses a %s compression bomb by its ratio', async (format) => {
    const error = await rejection({
      bytes: BUILDERS[format]([{ name: 'zeros.bmp', data: Buffer.alloc(20 * 1024 ** 2) }]),
    });
    expect(error.message).toBe('Unsafe archive upload.bin: expands more than 200 times its size (a compression bomb?)');
  });

  it('refuses a zip entry that inflates beyond the size its headers declare', async () => {
    const bytes = makeZip([{ name: 'small.jpg', data: Buffer.alloc(2 * 1024 ** 2, 1), declaredSize: 1000 }]);
    const error = await rejection({ bytes });
    expect(error.problem).toBe('unsafe');
    expect(error.message).toMatch(
      /^Unsafe archive upload\.bin: entry 'small\.jpg' does not match the size its header declares/,
    );
  });

  it('stops at the byte cap even when the gzip trailer claims a tiny size', async () => {
    const tgz = Buffer.from(
      makeTgz([{ name: 'a.jpg', data: Buffer.alloc(3 * 1024 ** 2).map((_, i) => (i * 31) % 253) }]),
    );
    tgz.writeUInt32LE(1024, tgz.length - 4);
    const error = await rejection({ bytes: tgz }, { ...DEFAULT_ARCHIVE_LIMITS, maxTotalBytes: 1024 ** 2 });
    expect(error.message).toBe(`Unsafe archive upload.bin: expands beyond ${1024 ** 2} bytes`);
  });

  it('reports an encrypted zip entry as unreadable and still reads the others', async () => {
    const { files, unreadable } = await collect({
      bytes: makeZip([
        { name: 'secret.jpg', data: 'x', encrypted: true },
        { name: 'open.jpg', data: 'y' },
      ]),
    });
    expect(unreadable).toEqual([{ path: 'secret.jpg', reason: 'is encrypted' }]);
    expect(files.map((file) => file.path)).toEqual(['open.jpg']);
  });

  it('refuses bytes that are not an archive, whatever the name', async () => {
    const error = await rejection({ bytes: Buffer.from('PK? no, just text pretending to be upload.zip') });
    expect(error).toMatchObject({ problem: 'unsupported', message: 'upload.bin is not a zip, tar or tar.gz archive' });
  });

  it('refuses a gzip that does not hold a tar as corrupt', async () => {
    const error = await rejection({ bytes: gzipSync(Buffer.alloc(2048, 0x41)) });
    expect(error.problem).toBe('corrupt');
  });

  it('does not follow a symbolic link to an archive', async () => {
    const target = join(dir, 'real.zip');
    await writeFile(target, makeZip(HONEST));
    await symlink(target, join(dir, 'link.zip'));
    const error = await rejection({ path: join(dir, 'link.zip') });
    expect(error.message).toMatch(/link\.zip is a symbolic link$/);
  });
});

describe('detectArchiveFormat', () => {
  it.each(FORMATS)('tells a %s by its bytes', (format) => {
    expect(detectArchiveFormat(BUILDERS[format](HONEST).subarray(0, 265))).toBe(format);
  });

  it('knows nothing of other bytes', () => {
    expect(detectArchiveFormat(Buffer.from('hello'))).toBeUndefined();
  });
});

describe('inspectArchive', () => {
  it('counts the readable files of a safe archive', async () => {
    expect(await inspectArchive(makeZip(HONEST), 'photos.zip', DEFAULT_ARCHIVE_LIMITS)).toEqual({
      ok: true,
      entries: 3,
    });
  });

  it('answers the reason for an unsafe one', async () => {
    expect(
      await inspectArchive(makeTgz([{ name: '../x.jpg', data: 'x' }]), 'photos.tgz', DEFAULT_ARCHIVE_LIMITS),
    ).toEqual({
      ok: false,
      reason: "Unsafe archive photos.tgz: entry '../x.jpg' has a '..' segment that escapes the archive",
    });
  });
});
