import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { sha256Hex } from '../../core/model/model-file';

export interface ModelLocation {
  /** `file:///abs/model.onnx`, an absolute path, `s3://bucket/key` or an http(s) URL. */
  readonly uri: string;
  /** Expected sha256 (hex) of the model bytes; required for remote (s3://, http(s)://) models. */
  readonly sha256?: string;
  /** Where downloaded models are kept, named by their hash, so a warm host downloads each model once. */
  readonly cacheDir: string;
}

export class ModelIntegrityError extends Error {
  override readonly name = 'ModelIntegrityError';
}

/** The pin from the embedding config and the one from MODEL_SHA256 must agree when both are given. */
export function pinnedSha256(fromConfig: string | undefined, fromEnvironment: string | undefined): string | undefined {
  const env = fromEnvironment?.trim().toLowerCase() || undefined;
  if (env !== undefined && !/^[0-9a-f]{64}$/.test(env))
    throw new ModelIntegrityError(`MODEL_SHA256 is not a sha256 hex digest: ${fromEnvironment}`);
  if (fromConfig && env && fromConfig !== env) {
    throw new ModelIntegrityError(
      `MODEL_SHA256 ${env} contradicts the dataset's embedding_config.model_sha256 ${fromConfig}`,
    );
  }
  return fromConfig ?? env;
}

/** A model's bytes, checked against its pin: the session loads these very bytes, not the file again. */
export interface VerifiedModel {
  /** Where the bytes were read (the cache file for s3:// models). */
  readonly path: string;
  readonly sha256: string;
  readonly bytes: Uint8Array;
}

/**
 * Reads the model and verifies it against the pinned hash before anything loads it; the bytes hashed are the bytes
 * returned, so a file replaced after the check is never loaded unverified. Remote models (s3://, https://; http:// is
 * as safe, the pin being checked either way) are downloaded once into the cache (to a temporary name, renamed only
 * after the hash matched).
 */
export async function resolveModel(location: ModelLocation, s3: () => S3Client): Promise<VerifiedModel> {
  const s3Object = /^s3:\/\/([^/]+)\/(.+)$/.exec(location.uri);
  if (s3Object)
    return fetchRemote(location, async () => {
      const object = await s3().send(new GetObjectCommand({ Bucket: s3Object[1], Key: s3Object[2] }));
      if (!object.Body) throw new Error(`Model ${location.uri} has no body`);
      return object.Body as Readable;
    });
  if (/^https?:\/\//.test(location.uri))
    return fetchRemote(location, async () => {
      const response = await fetch(location.uri);
      if (!response.ok || !response.body)
        throw new Error(`Model ${location.uri}: HTTP ${response.status} ${response.statusText}`);
      return Readable.fromWeb(response.body as WebReadableStream);
    });
  const path = location.uri.startsWith('file://') ? fileURLToPath(location.uri) : location.uri;
  if (!path.startsWith('/'))
    throw new Error(`MODEL_URI must be file://, an absolute path, s3:// or https://, got ${location.uri}`);
  if (!existsSync(path)) throw new Error(`Model file not found: ${path}`);
  const model = await readModel(path);
  if (location.sha256 && model.sha256 !== location.sha256) {
    throw new ModelIntegrityError(`Model ${location.uri} has sha256 ${model.sha256}, expected ${location.sha256}`);
  }
  return model;
}

async function fetchRemote(location: ModelLocation, open: () => Promise<Readable>): Promise<VerifiedModel> {
  if (!location.sha256)
    throw new ModelIntegrityError(`Refusing unpinned remote model ${location.uri}: set MODEL_SHA256`);
  mkdirSync(location.cacheDir, { recursive: true });
  const cached = join(location.cacheDir, `${location.sha256}.onnx`);
  if (existsSync(cached)) {
    const model = await readModel(cached);
    if (model.sha256 === location.sha256) return model;
  }

  const partial = `${cached}.${process.pid}.partial`;
  try {
    await pipeline(await open(), createWriteStream(partial));
    const downloaded = await readModel(partial);
    if (downloaded.sha256 !== location.sha256)
      throw new ModelIntegrityError(
        `Model ${location.uri} has sha256 ${downloaded.sha256}, expected ${location.sha256}`,
      );
    renameSync(partial, cached);
    return { ...downloaded, path: cached };
  } finally {
    rmSync(partial, { force: true });
  }
}

async function readModel(path: string): Promise<VerifiedModel> {
  const bytes = await readFile(path);
  return { path, sha256: sha256Hex(bytes), bytes };
}
