/**
 * Test media, generated (nothing binary is committed):
 * - `makeImage({ seed, width, height, format })` → encoded image bytes; the same seed gives the same bytes, different seeds
 *   give visibly different pictures (random blobs over a random gradient, plus noise).
 * - `makeVideo(path, { seconds, fps, width, height, seed })` → writes a tiny video with ffmpeg (container from the extension:
 *   mp4/mov/mkv H.264, webm VP8, avi MPEG-4); the seed shifts the hue.
 * - `makeZip(entries)`, `makeTar(entries)`, `makeTgz(entries)` → archive bytes written header by header, so hostile archives
 *   (`../` paths, absolute paths, backslashes, symlinks, hard links, devices, FIFOs, zip entries whose header lies about
 *   their size) are as easy to build as honest ones.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { crc32, deflateRawSync, gzipSync } from 'node:zlib';
import sharp from 'sharp';

const run = promisify(execFile);

export type ImageFormat = 'jpeg' | 'jpg' | 'png' | 'webp' | 'gif' | 'tiff' | 'bmp';

export interface ImageSpec {
  readonly seed: number;
  readonly width?: number;
  readonly height?: number;
  readonly format?: ImageFormat;
}

export async function makeImage({ seed, width = 64, height = 48, format = 'jpeg' }: ImageSpec): Promise<Buffer> {
  const raw = seededPixels(seed, width, height);
  if (format === 'bmp') return encodeBmp(raw, width, height);
  const image = sharp(raw, { raw: { width, height, channels: 3 } });
  switch (format) {
    case 'jpeg':
    case 'jpg':
      return image.jpeg({ quality: 90 }).toBuffer();
    case 'png':
      return image.png().toBuffer();
    case 'webp':
      return image.webp().toBuffer();
    case 'gif':
      return image.gif().toBuffer();
    case 'tiff':
      return image.tiff().toBuffer();
  }
}

/** The first `fraction` of `bytes` (a truncated file). */
export function truncated(bytes: Buffer, fraction = 0.5): Buffer {
  return bytes.subarray(0, Math.max(1, Math.floor(bytes.length * fraction)));
}

export interface VideoSpec {
  readonly seconds?: number;
  readonly fps?: number;
  readonly width?: number;
  readonly height?: number;
  readonly seed?: number;
}

const VIDEO_CODECS: Readonly<Record<string, readonly string[]>> = {
  mp4: ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'],
  mov: ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'],
  mkv: ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'],
  webm: ['-c:v', 'libvpx', '-deadline', 'realtime', '-b:v', '200k'],
  avi: ['-c:v', 'mpeg4'],
};

/** Writes a short test-pattern video to `path` (its extension picks the container) and returns `path`. */
export async function makeVideo(
  path: string,
  { seconds = 1, fps = 5, width = 64, height = 48, seed = 0 }: VideoSpec = {},
): Promise<string> {
  const ext = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  const codec = VIDEO_CODECS[ext];
  if (!codec) throw new Error(`makeVideo: unsupported container .${ext}`);
  const source = `testsrc=size=${width}x${height}:rate=${fps}:duration=${seconds}`;
  await run('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    source,
    '-vf',
    `hue=h=${(seed * 47) % 360}`,
    ...codec,
    path,
  ]);
  return path;
}

// ---------------------------------------------------------------------------------------------------------------------
// archives

export type ArchiveEntrySpec =
  | { readonly name: string; readonly data: Uint8Array | string; readonly type?: 'file' }
  | { readonly name: string; readonly type: 'directory' }
  | { readonly name: string; readonly type: 'symlink' | 'hardlink'; readonly target: string }
  | { readonly name: string; readonly type: 'char-device' | 'block-device' | 'fifo' };

export type ZipEntrySpec = ArchiveEntrySpec & {
  /** Deflate the data (default true). */
  readonly compress?: boolean;
  /** Uncompressed size written into both headers instead of the real one: a lying header. */
  readonly declaredSize?: number;
  /** Sets the "encrypted" flag (the data itself stays plain). */
  readonly encrypted?: boolean;
};

const TAR_TYPE_FLAGS: Readonly<Record<string, string>> = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  'char-device': '3',
  'block-device': '4',
  directory: '5',
  fifo: '6',
};

/** A POSIX (ustar) tar with exactly the entries given, names and types unchecked. */
export function makeTar(entries: readonly ArchiveEntrySpec[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const data = 'data' in entry ? Buffer.from(entry.data) : Buffer.alloc(0);
    const type = entry.type ?? 'file';
    blocks.push(tarHeader(entry.name, type, data.length, 'target' in entry ? entry.target : ''));
    blocks.push(data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

export function makeTgz(entries: readonly ArchiveEntrySpec[]): Buffer {
  return gzipSync(makeTar(entries));
}

function tarHeader(name: string, type: string, size: number, target: string): Buffer {
  const header = Buffer.alloc(512);
  const [prefix, rest] = splitUstarName(name);
  header.write(rest, 0, 100, 'utf8');
  writeOctal(header, 100, 8, type === 'directory' ? 0o755 : 0o644);
  writeOctal(header, 108, 8, 0);
  writeOctal(header, 116, 8, 0);
  writeOctal(header, 124, 12, size);
  writeOctal(header, 136, 12, 1_700_000_000);
  header.write(TAR_TYPE_FLAGS[type]!, 156, 1, 'ascii');
  header.write(target, 157, 100, 'utf8');
  header.write('ustar\u000000', 257, 8, 'ascii');
  header.write(prefix, 345, 155, 'utf8');
  header.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'ascii');
  return header;
}

function splitUstarName(name: string): [string, string] {
  if (Buffer.byteLength(name) <= 100) return ['', name];
  const cut = name.lastIndexOf('/', name.length - 1);
  if (cut <= 0 || Buffer.byteLength(name.slice(cut + 1)) > 100 || Buffer.byteLength(name.slice(0, cut)) > 155) {
    throw new Error(`makeTar: name too long for ustar: ${name}`);
  }
  return [name.slice(0, cut), name.slice(cut + 1)];
}

function writeOctal(header: Buffer, offset: number, length: number, value: number): void {
  header.write(`${value.toString(8).padStart(length - 1, '0')}\u0000`, offset, length, 'ascii');
}

const ZIP_MODES: Readonly<Record<string, number>> = {
  file: 0o100644,
  directory: 0o040755,
  symlink: 0o120777,
  'char-device': 0o020644,
  'block-device': 0o060644,
  fifo: 0o010644,
};

/** A zip with exactly the entries given, made on "Unix" so that mode bits (symlink, device, FIFO) are meaningful. */
export function makeZip(entries: readonly ZipEntrySpec[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const type = entry.type ?? 'file';
    const mode = ZIP_MODES[type];
    if (mode === undefined) throw new Error(`makeZip: zip has no ${type} entries`);
    const data =
      'data' in entry ? Buffer.from(entry.data) : 'target' in entry ? Buffer.from(entry.target) : Buffer.alloc(0);
    const compress = (entry.compress ?? true) && type === 'file';
    const stored = compress ? deflateRawSync(data) : data;
    const name = Buffer.from(entry.name, 'utf8');
    const fields = {
      flags: 0x0800 | (entry.encrypted ? 0x0001 : 0),
      method: compress ? 8 : 0,
      crc: crc32(data),
      compressedSize: stored.length,
      size: entry.declaredSize ?? data.length,
    };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    writeZipCommon(local, 4, fields);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, name, stored);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4);
    writeZipCommon(central, 6, fields);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE((mode << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + stored.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** version needed, flags, method, DOS time/date, CRC, sizes: the fields local and central headers share. */
function writeZipCommon(
  buffer: Buffer,
  at: number,
  fields: { flags: number; method: number; crc: number; compressedSize: number; size: number },
): void {
  buffer.writeUInt16LE(20, at);
  buffer.writeUInt16LE(fields.flags, at + 2);
  buffer.writeUInt16LE(fields.method, at + 4);
  buffer.writeUInt16LE(0, at + 6);
  buffer.writeUInt16LE(((2024 - 1980) << 9) | (1 << 5) | 1, at + 8);
  buffer.writeUInt32LE(fields.crc, at + 10);
  buffer.writeUInt32LE(fields.compressedSize, at + 14);
  buffer.writeUInt32LE(fields.size, at + 18);
}

// ---------------------------------------------------------------------------------------------------------------------
// pixels

function seededPixels(seed: number, width: number, height: number): Buffer {
  const random = mulberry32(seed);
  const colour = () => [random() * 255, random() * 255, random() * 255] as const;
  const [from, to] = [colour(), colour()];
  const blobs = Array.from({ length: 5 }, () => ({
    x: random() * width,
    y: random() * height,
    r: (0.1 + random() * 0.3) * Math.min(width, height),
    colour: colour(),
  }));
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const t = (x + y) / (width + height);
      let rgb = [0, 1, 2].map((c) => from[c]! * (1 - t) + to[c]! * t);
      for (const blob of blobs) {
        if ((x - blob.x) ** 2 + (y - blob.y) ** 2 < blob.r ** 2) rgb = [...blob.colour];
      }
      const offset = (y * width + x) * 3;
      for (let c = 0; c < 3; c += 1) pixels[offset + c] = Math.max(0, Math.min(255, rgb[c]! + (random() - 0.5) * 24));
    }
  }
  return pixels;
}

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** sharp cannot write BMP: a 24-bit bottom-up BMP by hand. */
function encodeBmp(rgb: Buffer, width: number, height: number): Buffer {
  const rowBytes = Math.ceil((width * 3) / 4) * 4;
  const header = Buffer.alloc(54);
  header.write('BM', 0, 'ascii');
  header.writeUInt32LE(54 + rowBytes * height, 2);
  header.writeUInt32LE(54, 10);
  header.writeUInt32LE(40, 14);
  header.writeInt32LE(width, 18);
  header.writeInt32LE(height, 22);
  header.writeUInt16LE(1, 26);
  header.writeUInt16LE(24, 28);
  header.writeUInt32LE(rowBytes * height, 34);
  const body = Buffer.alloc(rowBytes * height);
  for (let y = 0; y < height; y += 1) {
    const row = (height - 1 - y) * rowBytes;
    for (let x = 0; x < width; x += 1) {
      const source = (y * width + x) * 3;
      body[row + x * 3] = rgb[source + 2]!;
      body[row + x * 3 + 1] = rgb[source + 1]!;
      body[row + x * 3 + 2] = rgb[source]!;
    }
  }
  return Buffer.concat([header, body]);
}
