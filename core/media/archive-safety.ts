import { sanitizeDisplayName } from './safe-names';

/** Limits of one archive extraction (docs/pipeline.md "Discover": MAX_ARCHIVE_*, MAX_COMPRESSION_RATIO). */
export interface ArchiveLimits {
  /** Entries of any kind (files, directories, links) the archive may hold. */
  readonly maxEntries: number;
  /** Bytes the extraction may write in total, counted as they stream out (headers are not trusted). */
  readonly maxTotalBytes: number;
  /** Bytes one entry may expand to. */
  readonly maxEntryBytes: number;
  /** Decompressed bytes / archive bytes; see RATIO_ALLOWANCE_BYTES. */
  readonly maxCompressionRatio: number;
}

const GIB = 1024 ** 3;

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = {
  maxEntries: 100_000,
  maxTotalBytes: 50 * GIB,
  maxEntryBytes: 4 * GIB,
  maxCompressionRatio: 200,
};

/**
 * Decompressed bytes always allowed, whatever the ratio: a tiny archive of legitimately compressible files (a solid-colour
 * BMP compresses 300:1) is not a bomb, and 1 MiB cannot hurt anyone.
 */
const RATIO_ALLOWANCE_BYTES = 1024 ** 2;

export type ArchiveProblem = 'unsafe' | 'corrupt' | 'unsupported';

/** The whole archive is refused; `message` names the archive and says why. */
export class ArchiveRejectedError extends Error {
  constructor(
    readonly problem: ArchiveProblem,
    message: string,
  ) {
    super(message);
    this.name = 'ArchiveRejectedError';
  }
}

/**
 * Why an entry path would escape the extraction folder (or could on some platform), or undefined when it is a plain
 * relative path. Checked on every entry, although entries are never written under their own names: an archive that
 * carries such a path was made to attack someone, so none of it is trusted.
 */
export function unsafeEntryPathReason(path: string): string | undefined {
  if (path === '') return 'has an empty name';
  if (path.includes('\0')) return 'has a NUL character in its name';
  if (path.includes('\\')) return 'has a backslash in its name';
  if (path.startsWith('/')) return 'has an absolute path';
  if (/^[A-Za-z]:/.test(path)) return 'has a drive letter';
  if (path.split('/').includes('..')) return "has a '..' segment that escapes the archive";
  return undefined;
}

/** Counts what an extraction produces and stops it at the first limit crossed. */
export class ExtractionBudget {
  private entries = 0;
  private writtenBytes = 0;
  private decompressedBytes = 0;
  private firstRefusal: ArchiveRejectedError | undefined;
  private readonly maxDecompressedBytes: number;

  constructor(
    private readonly limits: ArchiveLimits,
    archiveBytes: number,
    private readonly archiveName: string,
  ) {
    this.maxDecompressedBytes = Math.max(limits.maxCompressionRatio * archiveBytes, RATIO_ALLOWANCE_BYTES);
  }

  get entryCount(): number {
    return this.entries;
  }

  countEntry(): void {
    this.entries += 1;
    if (this.entries > this.limits.maxEntries) throw this.unsafe(`has more than ${this.limits.maxEntries} entries`);
  }

  /** Payload bytes of one entry; `entryBytes` is that entry's running total including `chunkBytes`. */
  countEntryBytes(entryPath: string, entryBytes: number, chunkBytes: number): void {
    this.writtenBytes += chunkBytes;
    if (entryBytes > this.limits.maxEntryBytes) {
      throw this.unsafe(`entry '${sanitizeDisplayName(entryPath)}' expands beyond ${this.limits.maxEntryBytes} bytes`);
    }
    if (this.writtenBytes > this.limits.maxTotalBytes)
      throw this.unsafe(`expands beyond ${this.limits.maxTotalBytes} bytes`);
  }

  /** Bytes out of a decompressor (zip entry inflation or the gzip layer of a .tar.gz). */
  countDecompressed(chunkBytes: number): void {
    this.decompressedBytes += chunkBytes;
    if (this.decompressedBytes > this.maxDecompressedBytes) {
      throw this.unsafe(`expands more than ${this.limits.maxCompressionRatio} times its size (a compression bomb?)`);
    }
  }

  /** The first refusal of this extraction: streams torn down because of it report it rather than "premature close". */
  get refusal(): ArchiveRejectedError | undefined {
    return this.firstRefusal;
  }

  unsafe(what: string): ArchiveRejectedError {
    return this.refuse(new ArchiveRejectedError('unsafe', `Unsafe archive ${this.archiveName}: ${what}`));
  }

  corrupt(what: string): ArchiveRejectedError {
    return this.refuse(new ArchiveRejectedError('corrupt', `Corrupt archive ${this.archiveName}: ${what}`));
  }

  private refuse(error: ArchiveRejectedError): ArchiveRejectedError {
    this.firstRefusal ??= error;
    return error;
  }
}
