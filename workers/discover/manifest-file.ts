import { createReadStream, constants as fsConstants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type AsyncBuffer, cachedAsyncBuffer } from 'hyparquet';
import type { S3Location } from '../../core/media/s3-uri';

/** A manifest's bytes, wherever it lives: streamed (txt, csv) or read by ranges (parquet). */
export interface ManifestFile {
  /** The manifest's URI or path, for messages. */
  readonly name: string;
  stream(): Promise<Readable>;
  randomAccess(): Promise<RandomAccess>;
}

interface RandomAccess {
  readonly buffer: AsyncBuffer;
  close(): Promise<void>;
}

export function s3ManifestFile(client: S3Client, location: S3Location, name: string): ManifestFile {
  const input = { Bucket: location.bucket, Key: location.key };
  return {
    name,
    stream: async () => (await client.send(new GetObjectCommand(input))).Body as Readable,
    randomAccess: async () => {
      const head = await client.send(new HeadObjectCommand(input));
      const buffer = cachedAsyncBuffer({
        byteLength: head.ContentLength ?? 0,
        slice: async (start, end) => {
          const range = `bytes=${start}-${end === undefined ? '' : end - 1}`;
          const response = await client.send(new GetObjectCommand({ ...input, Range: range }));
          const bytes = await response.Body!.transformToByteArray();
          return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
        },
      });
      return { buffer, close: async () => undefined };
    },
  };
}

/** A manifest on local disk, opened without following a symbolic link. */
export function localManifestFile(path: string): ManifestFile {
  const openHandle = () => open(path, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
  return {
    name: path,
    stream: async () => createReadStream('', { fd: await openHandle() }),
    randomAccess: async () => {
      const handle = await openHandle();
      const { size } = await handle.stat();
      const buffer: AsyncBuffer = {
        byteLength: size,
        slice: async (start, end = size) => {
          const bytes = Buffer.alloc(end - start);
          const { bytesRead } = await handle.read(bytes, 0, bytes.length, start);
          return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytesRead) as ArrayBuffer;
        },
      };
      return { buffer, close: () => handle.close() };
    },
  };
}
