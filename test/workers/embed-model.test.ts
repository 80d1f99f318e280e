import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import {
  encoderName,
  LOCAL_EMBEDDING_CONFIG,
  parseEmbeddingConfig,
  sameEncoder,
  TEST_EMBEDDING_CONFIG,
} from '../../core/datasets/embedding-config';
import { buildTestModel, ensureTestModel } from '../../core/model/generate-test-model';
import { sha256Hex } from '../../core/model/model-file';
import { decodeImage } from '../../workers/embed/decode-image';
import { rgbToChw } from '../../workers/embed/pixel-tensor';
import { extractVideoFrames } from '../../workers/embed/video-frames';
import { ImageEncoder } from '../../workers/model/image-encoder';
import { openSession, parseExecutionProvider } from '../../workers/model/inference-session';
import { ModelIntegrityError, pinnedSha256, resolveModel } from '../../workers/model/model-source';
import { makeImage, makeVideo, truncated } from '../support/media-fixtures';
import type { TestBucket } from '../support/servers';
import { createWorkerBucket } from './embed-support';

const { input_size: SIDE, dimension: D } = TEST_EMBEDDING_CONFIG;
const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, value, i) => sum + value * b[i], 0);

describe('the generated test model', () => {
  it('is byte-for-byte what TEST_EMBEDDING_CONFIG pins', () => {
    expect(sha256Hex(buildTestModel())).toBe(TEST_EMBEDDING_CONFIG.model_sha256);
  });

  it('is written once by ensureTestModel and rewritten when the file was tampered with', () => {
    const path = join(temporaryCache(), 'nested', 'encoder.onnx');
    const first = ensureTestModel(path);
    writeFileSync(path, 'tampered');
    const second = ensureTestModel(path);
    expect(second.sha256).toBe(first.sha256);
    expect(sha256Hex(readFileSync(path))).toBe(first.sha256);
  });

  describe('embeddings', () => {
    let encoder: ImageEncoder;
    const embed = async (bytes: Buffer) => {
      const image = await decodeImage(bytes, SIDE);
      const pixels = new Float32Array(3 * SIDE * SIDE);
      rgbToChw(image.rgb, SIDE, TEST_EMBEDDING_CONFIG, pixels, 0);
      return encoder.encode(pixels, 1);
    };
    beforeAll(async () => {
      encoder = new ImageEncoder(await ort.InferenceSession.create(buildTestModel()), SIDE, D);
    });

    it('maps resized, re-encoded and slightly cropped copies close and unrelated images far', async () => {
      const original = await makeImage({ seed: 11, width: 320, height: 240 });
      const base = await embed(original);
      const copies = [
        await sharp(original).resize(160, 120).jpeg({ quality: 90 }).toBuffer(),
        await sharp(original).jpeg({ quality: 60 }).toBuffer(),
        await sharp(original).extract({ left: 8, top: 6, width: 304, height: 228 }).toBuffer(),
      ];
      for (const copy of copies) expect(dot(base, await embed(copy))).toBeGreaterThan(0.95);
      for (const seed of [12, 13, 14, 15])
        expect(dot(base, await embed(await makeImage({ seed, width: 320, height: 240 })))).toBeLessThan(0.85);
    });

    it('turns a short video into frames of the configured size', async () => {
      const folder = mkdtempSync(join(tmpdir(), 'video-'));
      try {
        const path = await makeVideo(join(folder, 'v.webm'), { seconds: 2, fps: 4, width: 80, height: 60 });
        const frames = await extractVideoFrames(path, { side: SIDE, maxFrames: 16, maxFps: 1 });
        expect(frames).toMatchObject({ frameCount: 2, width: 80, height: 60 });
        expect(frames.rgb.length).toBe(2 * SIDE * SIDE * 3);
        const capped = await extractVideoFrames(path, { side: SIDE, maxFrames: 1, maxFps: 1 });
        expect(capped.frameCount).toBe(1);
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    });
  });
});

describe('decoding', () => {
  it('reports a truncated JPEG, PNG or WebP with one reason, however many decodes fail at once', async () => {
    for (const format of ['jpeg', 'png', 'webp'] as const) {
      const broken = truncated(await makeImage({ seed: 3, width: 64, height: 48, format }), 0.4);
      const results = await Promise.allSettled(Array.from({ length: 24 }, () => decodeImage(broken, SIDE)));
      const reasons = new Set(results.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'decoded')));
      expect([...reasons], format).toEqual(['cannot decode image: corrupt or truncated image data']);
    }
  });
});

describe('model loading', () => {
  let bucket: TestBucket;
  const bytes = buildTestModel();
  const sha256 = sha256Hex(bytes);
  beforeAll(async () => {
    bucket = await createWorkerBucket();
  });

  it('verifies a local model against its pin', async () => {
    const path = join(temporaryCache(), 'm.onnx');
    writeFileSync(path, bytes);
    await expect(
      resolveModel({ uri: `file://${path}`, sha256, cacheDir: tmpdir() }, () => bucket.client),
    ).resolves.toEqual({ path, sha256, bytes: Buffer.from(bytes) });
    await expect(
      resolveModel({ uri: path, sha256: 'f'.repeat(64), cacheDir: tmpdir() }, () => bucket.client),
    ).rejects.toBeInstanceOf(ModelIntegrityError);
  });

  it('downloads a pinned s3:// model once into the cache and refuses an unpinned one', async () => {
    const cacheDir = temporaryCache();
    const uri = `s3://${bucket.bucket}/models/encoder.onnx`;
    await bucket.client.send(new PutObjectCommand({ Bucket: bucket.bucket, Key: 'models/encoder.onnx', Body: bytes }));
    await expect(resolveModel({ uri, cacheDir }, () => bucket.client)).rejects.toThrow(/unpinned remote model/);

    const first = await resolveModel({ uri, sha256, cacheDir }, () => bucket.client);
    expect(first).toEqual({ path: join(cacheDir, `${sha256}.onnx`), sha256, bytes: Buffer.from(bytes) });
    await bucket.client.send(new DeleteObjectCommand({ Bucket: bucket.bucket, Key: 'models/encoder.onnx' }));
    await expect(resolveModel({ uri, sha256, cacheDir }, () => bucket.client)).resolves.toEqual(first);
  });

  it('keeps nothing in the cache when a download does not match its pin', async () => {
    const cacheDir = temporaryCache();
    await bucket.client.send(
      new PutObjectCommand({ Bucket: bucket.bucket, Key: 'models/other.onnx', Body: 'not the model' }),
    );
    await expect(
      resolveModel({ uri: `s3://${bucket.bucket}/models/other.onnx`, sha256, cacheDir }, () => bucket.client),
    ).rejects.toBeInstanceOf(ModelIntegrityError);
    expect(await import('node:fs').then((fs) => fs.readdirSync(cacheDir))).toEqual([]);
  });

  it('downloads a pinned https:// (or http://) model once into the cache, and keeps nothing of a wrong one', async () => {
    const requests: string[] = [];
    const server = createServer((request, response) => {
      requests.push(request.url ?? '');
      if (request.url === '/encoder.onnx') response.end(bytes);
      else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const cacheDir = temporaryCache();

    const first = await resolveModel({ uri: `${base}/encoder.onnx`, sha256, cacheDir }, () => bucket.client);
    expect(first).toEqual({ path: join(cacheDir, `${sha256}.onnx`), sha256, bytes: Buffer.from(bytes) });
    await expect(resolveModel({ uri: `${base}/encoder.onnx`, sha256, cacheDir }, () => bucket.client)).resolves.toEqual(
      first,
    );
    expect(requests).toEqual(['/encoder.onnx']);

    const otherCache = temporaryCache();
    await expect(
      resolveModel({ uri: `${base}/encoder.onnx`, sha256: 'f'.repeat(64), cacheDir: otherCache }, () => bucket.client),
    ).rejects.toBeInstanceOf(ModelIntegrityError);
    await expect(
      resolveModel({ uri: `${base}/missing.onnx`, sha256, cacheDir: otherCache }, () => bucket.client),
    ).rejects.toThrow(/missing\.onnx: HTTP 404/);
    await expect(
      resolveModel({ uri: `${base}/encoder.onnx`, cacheDir: otherCache }, () => bucket.client),
    ).rejects.toThrow(/unpinned remote model/);
    expect(readdirSync(otherCache)).toEqual([]);
  });

  it('takes the pin from the embedding config or MODEL_SHA256 and rejects contradicting pins', () => {
    expect(pinnedSha256(sha256, undefined)).toBe(sha256);
    expect(pinnedSha256(undefined, sha256.toUpperCase())).toBe(sha256);
    expect(() => pinnedSha256(sha256, 'a'.repeat(64))).toThrow(/contradicts/);
    expect(() => pinnedSha256(undefined, 'abc')).toThrow(/not a sha256/);
  });
});

describe('execution provider', () => {
  const messages: string[] = [];
  const log = (message: string) => messages.push(message);

  it('parses EXECUTION_PROVIDER and refuses unknown values', () => {
    expect(parseExecutionProvider(undefined)).toBe('auto');
    expect(parseExecutionProvider('CUDA')).toBe('cuda');
    expect(() => parseExecutionProvider('tpu')).toThrow(/cuda, cpu or unset/);
  });

  it('runs on the CPU when CUDA is not installed (auto) and says so', async () => {
    const { provider, session } = await openSession(buildTestModel(), 'auto', log);
    await session.release();
    expect(provider).toBe('cpu');
    expect(messages.at(-1)).toMatch(/execution provider: cpu/);
  });

  it('fails clearly when CUDA is demanded on a host without it', async () => {
    // In a child process: ONNX Runtime's native logger writes its own error line to fd 2, which a passing test must
    // not print. The line is asserted here instead.
    const script = [
      "import { openSession } from './workers/model/inference-session.ts';",
      "import { buildTestModel } from './core/model/generate-test-model.ts';",
      "await openSession(buildTestModel(), 'cuda', () => {}).catch((error) => process.stdout.write(error.message));",
    ].join('\n');
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', import.meta.resolve('tsx'), '--input-type=module', '-e', script],
      { cwd: join(import.meta.dirname, '..', '..') },
    );
    expect(stdout).toMatch(/^EXECUTION_PROVIDER=cuda but the CUDA provider failed to load: /);
    expect(stderr).toContain('Failed to load library');
  });
});

describe('embedding_config', () => {
  it('names every bad field', () => {
    expect(() => parseEmbeddingConfig({ ...TEST_EMBEDDING_CONFIG, dimension: 0, std: [1, 0, 1] })).toThrow(
      /dimension: .*; std\.1: /,
    );
    expect(() => parseEmbeddingConfig('{')).toThrow(/not valid JSON/);
    expect(parseEmbeddingConfig(JSON.stringify(TEST_EMBEDDING_CONFIG))).toEqual(TEST_EMBEDDING_CONFIG);
  });

  it('tells whether two configs name the same encoder: id, version, width and pinned bytes, not the preparation', () => {
    const local = LOCAL_EMBEDDING_CONFIG;
    expect(
      sameEncoder(local, {
        ...local,
        similarity_threshold: 0.8,
        phash_distance: 4,
        pixel_agreement: 0.5,
        resize: 'crop',
      }),
    ).toBe(true);
    expect(sameEncoder(local, { ...local, model_sha256: undefined })).toBe(true);
    expect(sameEncoder(local, { ...local, model_sha256: 'a'.repeat(64) })).toBe(false);
    expect(sameEncoder(local, { ...local, model_id: 'mobilenet-v2-140-trunk' })).toBe(false);
    expect(sameEncoder(local, { ...local, version: '2' })).toBe(false);
    expect(sameEncoder(local, TEST_EMBEDDING_CONFIG)).toBe(false);
    expect(encoderName(local)).toBe(`mobilenet-v2-140-trunk-whitened (sha256 ${local.model_sha256!.slice(0, 12)}…)`);
    expect(encoderName({ model_id: 'clip', dimension: 512 })).toBe('clip');
  });
});

/** A fresh cache folder, removed after the test. */
function temporaryCache(): string {
  const cacheDir = mkdtempSync(join(tmpdir(), 'cache-'));
  onTestFinished(() => rmSync(cacheDir, { recursive: true, force: true }));
  return cacheDir;
}
