import { closeSync, constants as fsConstants, open as fsOpen } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { finished as onFinished, Readable, Transform, type TransformCallback } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tarStream from 'tar-stream';
import yauzl from 'yauzl';
import { ARCHIVE_MAGIC_BYTES, detectArchiveFormat } from './archive-format';
import { type ArchiveLimits, ArchiveRejectedError, ExtractionBudget, unsafeEntryPathReason } from './archive-safety';
import { sanitizeDisplayName } from './safe-names';

/** An archive on disk (opened without following a symlink) or in memory. */
export type ArchiveSource = { readonly path: string } | { readonly bytes: Uint8Array };

interface EntryBase {
  /** Position among all the archive's entries, directories included. */
  readonly index: number;
  /** The path as the archive states it (already checked: relative, no `..`); never use it to store anything. */
  readonly path: string;
  /** `path` sanitized for reports. */
  readonly displayName: string;
}

/**
 * A regular file of the archive. Read `stream` to the end (or let the next iteration drain it) before asking for the
 * next entry; it fails with ArchiveRejectedError as soon as a limit is crossed.
 */
interface ArchiveFileEntry extends EntryBase {
  readonly kind: 'file';
  readonly stream: Readable;
}

/** A regular file that cannot be read (encrypted, unsupported compression); the rest of the archive still can. */
interface UnreadableArchiveEntry extends EntryBase {
  readonly kind: 'unreadable';
  readonly reason: string;
}

export type ArchiveEntry = ArchiveFileEntry | UnreadableArchiveEntry;

export interface ArchiveEntriesOptions {
  readonly limits: ArchiveLimits;
  /** The archive's name as the user knows it; sanitized and used in error messages. */
  readonly name: string;
}

/**
 * Streams the regular files of a zip, tar or tar.gz archive (format told by its bytes), skipping directories. The whole
 * archive is refused (ArchiveRejectedError) on the first entry that escapes the archive (absolute path, `..`, backslash,
 * drive letter), that is not a regular file or directory (symlink, hard link, device, FIFO), or when the entry count,
 * the bytes written (counted as they stream; headers are not trusted) or the compression ratio cross `limits`.
 * Nothing is buffered beyond a stream chunk, so archives of any size can pass through.
 */
export async function* archiveEntries(
  source: ArchiveSource,
  options: ArchiveEntriesOptions,
): AsyncGenerator<ArchiveEntry> {
  const name = sanitizeDisplayName(options.name);
  const input = await openArchiveInput(source);
  try {
    const format = detectArchiveFormat(await input.head(ARCHIVE_MAGIC_BYTES));
    if (format === undefined)
      throw new ArchiveRejectedError('unsupported', `${name} is not a zip, tar or tar.gz archive`);
    const budget = new ExtractionBudget(options.limits, input.size, name);
    yield* format === 'zip' ? zipEntries(input, budget) : tarEntries(input, format === 'tar.gz', budget);
  } finally {
    await input.close();
  }
}

export type ArchiveInspection =
  | { readonly ok: true; readonly entries: number }
  | { readonly ok: false; readonly reason: string };

/**
 * Runs the whole extraction over an in-memory archive, discarding the bytes: `entries` is the number of readable regular
 * files. For the API's synchronous 400 on an unsafe or corrupt upload.
 */
export async function inspectArchive(
  bytes: Uint8Array,
  name: string,
  limits: ArchiveLimits,
): Promise<ArchiveInspection> {
  let files = 0;
  try {
    for await (const entry of archiveEntries({ bytes }, { name, limits })) {
      if (entry.kind !== 'file') continue;
      files += 1;
      for await (const chunk of entry.stream) void chunk;
    }
  } catch (error) {
    if (error instanceof ArchiveRejectedError) return { ok: false, reason: error.message };
    throw error;
  }
  return { ok: true, entries: files };
}

// ---------------------------------------------------------------------------------------------------------------------
// input

interface ArchiveInput {
  readonly size: number;
  head(bytes: number): Promise<Uint8Array>;
  /** A fresh stream over the whole archive. */
  stream(): Readable;
  openZip(options: yauzl.Options): Promise<yauzl.ZipFile>;
  close(): Promise<void>;
}

async function openArchiveInput(source: ArchiveSource): Promise<ArchiveInput> {
  if ('bytes' in source) {
    const buffer = Buffer.from(source.bytes.buffer, source.bytes.byteOffset, source.bytes.byteLength);
    return {
      size: buffer.length,
      head: async (bytes) => buffer.subarray(0, bytes),
      stream: () => Readable.from([buffer]),
      openZip: (options) => promisified<yauzl.ZipFile>((done) => yauzl.fromBuffer(buffer, options, done)),
      close: async () => undefined,
    };
  }
  let handle: FileHandle;
  try {
    handle = await open(source.path, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOOP') throw error;
    throw new ArchiveRejectedError('unsupported', `${sanitizeDisplayName(source.path)} is a symbolic link`);
  }
  const stats = await handle.stat();
  if (!stats.isFile()) {
    await handle.close();
    throw new ArchiveRejectedError('unsupported', `${sanitizeDisplayName(source.path)} is not a regular file`);
  }
  return {
    size: stats.size,
    head: async (bytes) => {
      const buffer = Buffer.alloc(bytes);
      const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
      return buffer.subarray(0, bytesRead);
    },
    stream: () => handle.createReadStream({ start: 0, autoClose: false }),
    openZip: (options) => openZipWithoutFollowing(source.path, options),
    close: () => handle.close(),
  };
}

/** yauzl closes the descriptor it reads from when the zip is closed, so it gets its own (also opened without following). */
async function openZipWithoutFollowing(path: string, options: yauzl.Options): Promise<yauzl.ZipFile> {
  const fd = await promisified<number>((done) => fsOpen(path, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW, done));
  try {
    return await promisified<yauzl.ZipFile>((done) => yauzl.fromFd(fd, options, done));
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// zip

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const ZIP_STORED = 0;
const ZIP_DEFLATED = 8;
const ZIP_OPTIONS: yauzl.Options = {
  lazyEntries: true,
  autoClose: false,
  validateEntrySizes: true,
  // Names are decoded and checked here (yauzl would silently turn backslashes into slashes).
  decodeStrings: false,
};

// yauzl 3 exports its name decoder (UTF-8 flag, Info-ZIP Unicode path field, CP437); @types/yauzl predates it.
const getFileNameLowLevel = (
  yauzl as unknown as {
    getFileNameLowLevel(
      flags: number,
      name: Buffer,
      extraFields: yauzl.Entry['extraFields'],
      strictFileNames: boolean,
    ): string;
  }
).getFileNameLowLevel;

async function* zipEntries(input: ArchiveInput, budget: ExtractionBudget): AsyncGenerator<ArchiveEntry> {
  let zip: yauzl.ZipFile;
  try {
    zip = await input.openZip(ZIP_OPTIONS);
  } catch (error) {
    throw budget.corrupt(messageOf(error));
  }
  try {
    for (let index = 0; ; index += 1) {
      const entry = await nextZipEntry(zip, budget);
      if (entry === undefined) return;
      budget.countEntry();
      const path = getFileNameLowLevel(
        entry.generalPurposeBitFlag,
        entry.fileName as unknown as Buffer,
        entry.extraFields,
        true,
      );
      const problem = unsafeEntryPathReason(path) ?? zipEntryTypeProblem(entry);
      if (problem !== undefined) throw budget.unsafe(`entry '${sanitizeDisplayName(path)}' ${problem}`);
      if (isZipDirectory(entry, path)) continue;
      const base = { index, path, displayName: sanitizeDisplayName(path) };
      if (entry.isEncrypted()) {
        yield { ...base, kind: 'unreadable', reason: 'is encrypted' };
        continue;
      }
      if (entry.compressionMethod !== ZIP_STORED && entry.compressionMethod !== ZIP_DEFLATED) {
        yield { ...base, kind: 'unreadable', reason: `uses unsupported compression method ${entry.compressionMethod}` };
        continue;
      }
      const raw = await openZipStream(zip, entry, path, budget);
      const stream = meterEntry(raw, path, budget, true);
      yield { ...base, kind: 'file', stream };
      await drain(stream, budget);
    }
  } finally {
    zip.close();
  }
}

function nextZipEntry(zip: yauzl.ZipFile, budget: ExtractionBudget): Promise<yauzl.Entry | undefined> {
  return new Promise((resolve, reject) => {
    const onEntry = (entry: yauzl.Entry) => settle(() => resolve(entry));
    const onEnd = () => settle(() => resolve(undefined));
    const onError = (error: unknown) => settle(() => reject(budget.corrupt(messageOf(error))));
    const settle = (action: () => void) => {
      zip.off('entry', onEntry).off('end', onEnd).off('error', onError);
      action();
    };
    zip.on('entry', onEntry).on('end', onEnd).on('error', onError);
    zip.readEntry();
  });
}

function openZipStream(
  zip: yauzl.ZipFile,
  entry: yauzl.Entry,
  path: string,
  budget: ExtractionBudget,
): Promise<Readable> {
  return promisified<Readable>((done) => zip.openReadStream(entry, done)).catch((error: unknown) => {
    throw budget.corrupt(`entry '${sanitizeDisplayName(path)}': ${messageOf(error)}`);
  });
}

/** Unix mode bits live in the high 16 bits of the external attributes; 0 there means "made elsewhere, a plain file". */
function zipEntryTypeProblem(entry: yauzl.Entry): string | undefined {
  const type = (entry.externalFileAttributes >>> 16) & S_IFMT;
  if (type === 0 || type === S_IFREG || type === S_IFDIR) return undefined;
  return fileTypeProblem(type);
}

function isZipDirectory(entry: yauzl.Entry, path: string): boolean {
  return path.endsWith('/') || ((entry.externalFileAttributes >>> 16) & S_IFMT) === S_IFDIR;
}

function fileTypeProblem(mode: number): string {
  switch (mode) {
    case 0o120000:
      return 'is a symbolic link';
    case 0o020000:
    case 0o060000:
      return 'is a device';
    case 0o010000:
      return 'is a FIFO';
    case 0o140000:
      return 'is a socket';
    default:
      return `has unsupported file type ${mode.toString(8)}`;
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// tar, tar.gz

async function* tarEntries(
  input: ArchiveInput,
  gzipped: boolean,
  budget: ExtractionBudget,
): AsyncGenerator<ArchiveEntry> {
  const extract = tarStream.extract();
  const source = input.stream();
  const feeding = gzipped
    ? pipeline(source, createGunzip(), meterDecompressed(budget), extract)
    : pipeline(source, extract);
  feeding.catch(() => undefined); // its error also reaches the iterator below, which reports it
  let index = 0;
  try {
    for await (const entry of extract) {
      budget.countEntry();
      const { name: path, type } = entry.header;
      const problem = unsafeEntryPathReason(path) ?? tarEntryTypeProblem(type);
      if (problem !== undefined) {
        entry.resume();
        throw budget.unsafe(`entry '${sanitizeDisplayName(path)}' ${problem}`);
      }
      if (type === 'directory') {
        entry.resume();
      } else {
        // tar-stream's entries are streamx streams; Readable.from gives the node stream the rest of the code expects.
        const stream = meterEntry(Readable.from(entry), path, budget, false);
        yield { index, path, displayName: sanitizeDisplayName(path), kind: 'file', stream };
        await drain(stream, budget);
      }
      index += 1;
    }
    await feeding;
  } catch (error) {
    throw budget.refusal ?? (error instanceof ArchiveRejectedError ? error : budget.corrupt(messageOf(error)));
  } finally {
    source.destroy();
    extract.destroy();
  }
}

function tarEntryTypeProblem(type: tarStream.Header['type']): string | undefined {
  switch (type) {
    case 'file':
    case 'contiguous-file':
    case 'directory':
      return undefined;
    case 'symlink':
      return 'is a symbolic link';
    case 'link':
      return 'is a hard link';
    case 'character-device':
    case 'block-device':
      return 'is a device';
    case 'fifo':
      return 'is a FIFO';
    default:
      return `has unsupported type ${String(type)}`;
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// metering

/** Passes an entry's bytes through, counting them against the budget; the first limit crossed fails the stream. */
function meterEntry(raw: Readable, path: string, budget: ExtractionBudget, decompressed: boolean): Readable {
  let entryBytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      entryBytes += chunk.length;
      try {
        budget.countEntryBytes(path, entryBytes, chunk.length);
        if (decompressed) budget.countDecompressed(chunk.length);
      } catch (error) {
        callback(error as Error);
        return;
      }
      callback(null, chunk);
    },
  });
  onFinished(raw, { writable: false }, (error) => {
    if (error) meter.destroy(budget.refusal ?? toArchiveError(error, path, budget));
  });
  meter.on('error', () => raw.destroy());
  raw.pipe(meter);
  return meter;
}

function meterDecompressed(budget: ExtractionBudget): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      try {
        budget.countDecompressed(chunk.length);
      } catch (error) {
        callback(error as Error);
        return;
      }
      callback(null, chunk);
    },
  });
}

/** yauzl reports an entry that inflates past its declared size ("too many bytes in the stream") this way. */
function toArchiveError(error: unknown, path: string, budget: ExtractionBudget): ArchiveRejectedError {
  if (error instanceof ArchiveRejectedError) return error;
  const message = messageOf(error);
  if (/too many bytes|too few bytes/.test(message)) {
    return budget.unsafe(
      `entry '${sanitizeDisplayName(path)}' does not match the size its header declares (${message})`,
    );
  }
  return budget.corrupt(`entry '${sanitizeDisplayName(path)}': ${message}`);
}

/** Waits until the consumer has read the entry (or reads what it left), surfacing the stream's failure. */
async function drain(stream: Readable, budget: ExtractionBudget): Promise<void> {
  if (!stream.readableEnded && !stream.destroyed && stream.readableFlowing !== true) stream.resume();
  try {
    await finished(stream);
  } catch (error) {
    throw budget.refusal ?? (error instanceof ArchiveRejectedError ? error : budget.corrupt(messageOf(error)));
  }
}

// ---------------------------------------------------------------------------------------------------------------------

function promisified<T>(start: (done: (error: Error | null, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => start((error, value) => (error ? reject(error) : resolve(value))));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
