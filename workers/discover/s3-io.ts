import { createReadStream, createWriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import type { S3Location } from '../../core/media/s3-uri';

export type HeadRead =
  | { readonly ok: true; readonly head: Buffer; readonly size: number }
  | { readonly ok: false; readonly reason: string };

/**
 * The first `bytes` bytes of an object with one ranged GET, and its total size. A missing or forbidden object is an
 * answer (the object is skipped with that reason); any other failure is thrown.
 */
export async function readS3Head(client: S3Client, location: S3Location, bytes: number): Promise<HeadRead> {
  let response;
  try {
    response = await client.send(
      new GetObjectCommand({ Bucket: location.bucket, Key: location.key, Range: `bytes=0-${bytes - 1}` }),
    );
  } catch (error) {
    const status = httpStatusOf(error);
    // S3 answers a range request on an empty object with 416.
    if (status === 416 || errorNameOf(error) === 'InvalidRange') return { ok: true, head: Buffer.alloc(0), size: 0 };
    const reason = objectProblem(error);
    if (reason) return { ok: false, reason };
    throw error;
  }
  const head = await readAtMost(response.Body as Readable, bytes);
  const total = /\/(\d+)$/.exec(response.ContentRange ?? '')?.[1];
  const size = total !== undefined ? Number(total) : (response.ContentLength ?? head.length);
  return { ok: true, head: size === 0 ? Buffer.alloc(0) : head, size };
}

/** Downloads a whole object to `file` (created, never overwritten). */
export async function downloadToFile(client: S3Client, location: S3Location, file: string): Promise<void> {
  const response = await client.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }));
  await pipeline(response.Body as Readable, createWriteStream(file, { flags: 'wx' }));
}

export async function uploadFile(
  client: S3Client,
  target: S3Location,
  file: string,
  size: number,
  contentType: string,
): Promise<void> {
  await client.send(
    new PutObjectCommand({
      Bucket: target.bucket,
      Key: target.key,
      Body: createReadStream(file),
      ContentLength: size,
      ContentType: contentType,
    }),
  );
}

export async function putText(client: S3Client, target: S3Location, body: string, contentType: string): Promise<void> {
  await client.send(
    new PutObjectCommand({ Bucket: target.bucket, Key: target.key, Body: body, ContentType: contentType }),
  );
}

/** Every object under `prefix`, listed page by page. */
export async function* listObjects(
  client: S3Client,
  bucket: string,
  prefix: string,
  pageSize?: number,
): AsyncGenerator<{ readonly key: string; readonly size: number }> {
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        ...(prefix ? { Prefix: prefix } : {}),
        ...(token ? { ContinuationToken: token } : {}),
        ...(pageSize ? { MaxKeys: pageSize } : {}),
      }),
    );
    for (const object of page.Contents ?? []) {
      if (object.Key !== undefined) yield { key: object.Key, size: object.Size ?? 0 };
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

export async function deletePrefix(client: S3Client, bucket: string, prefix: string): Promise<void> {
  let batch: string[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    await client.send(
      new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }),
    );
    batch = [];
  };
  for await (const object of listObjects(client, bucket, prefix)) {
    batch.push(object.key);
    if (batch.length === 1000) await flush();
  }
  await flush();
}

/** A reason to skip one object ("object not found", "access denied"), or undefined for errors that are not about it. */
export function objectProblem(error: unknown): string | undefined {
  const name = errorNameOf(error);
  const status = httpStatusOf(error);
  if (name === 'NoSuchBucket') return 'bucket not found';
  if (name === 'NoSuchKey' || name === 'NotFound' || status === 404) return 'object not found';
  if (name === 'AccessDenied' || status === 403) return 'access denied';
  return undefined;
}

export function errorNameOf(error: unknown): string | undefined {
  return error instanceof S3ServiceException || error instanceof Error ? error.name : undefined;
}

export function httpStatusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

async function readAtMost(body: Readable, bytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body) {
    chunks.push(chunk as Buffer);
    length += (chunk as Buffer).length;
    if (length >= bytes) break;
  }
  body.destroy();
  return Buffer.concat(chunks).subarray(0, bytes);
}
