export type ArchiveFormat = 'zip' | 'tar' | 'tar.gz';

/** Bytes `detectArchiveFormat` needs from the start of a file (a tar's `ustar` magic sits at offset 257). */
export const ARCHIVE_MAGIC_BYTES = 265;

/**
 * The archive format told by the bytes, not the name: zip local-header or empty-zip magic, gzip magic (taken to hold a
 * tar; extraction proves it), or the POSIX/GNU `ustar` magic of a tar header. Undefined for anything else.
 */
export function detectArchiveFormat(head: Uint8Array): ArchiveFormat | undefined {
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06])) return 'zip';
  if (startsWith(head, [0x1f, 0x8b])) return 'tar.gz';
  if (head.length >= 262 && String.fromCharCode(...head.subarray(257, 262)) === 'ustar') return 'tar';
  return undefined;
}

function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  return bytes.length >= magic.length && magic.every((byte, index) => bytes[index] === byte);
}
