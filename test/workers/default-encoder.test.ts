import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { ImageHashes } from '../../core/clustering/image-hashes';
import { pixelPrint } from '../../core/clustering/pixel-agreement';
import { nearDuplicateClusters } from '../../core/clustering/threshold-components';
import { LOCAL_EMBEDDING_CONFIG } from '../../core/datasets/embedding-config';
import { buildDefaultEncoder, DEFAULT_ENCODER } from '../../core/model/default-encoder';
import { sha256Hex } from '../../core/model/model-file';
import { ExactKnn } from '../../workers/cluster/exact-knn';
import { decodeImage } from '../../workers/embed/decode-image';
import { perceptualHash } from '../../workers/embed/perceptual-hash';
import { rgbToChw } from '../../workers/embed/pixel-tensor';
import { ImageEncoder } from '../../workers/model/image-encoder';
import { openSession } from '../../workers/model/inference-session';
import { cubicResizeModel } from '../support/cubic-resize-model';

/**
 * The default encoder on real images (test/fixtures/real-images, public domain / CC0): its conversion against TF.js,
 * and near-duplicates found through the same decode → ONNX Runtime → clustering path as the workers.
 */
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'real-images');
const NAMES = ['chelsea', 'coffee', 'astronaut', 'hubble_deep_field', 'grace_hopper'] as const;
const config = LOCAL_EMBEDDING_CONFIG;
const side = config.input_size;

let model: Uint8Array;
let encoder: ImageEncoder;

beforeAll(async () => {
  model = buildDefaultEncoder();
  const { session } = await openSession(model, 'cpu', () => {});
  encoder = new ImageEncoder(session, side, config.dimension);
}, 60_000);

/** Vectors, perceptual hashes and pixel prints of `images`, decoded once as the embed worker does. */
async function embed(images: readonly Uint8Array[]): Promise<{ vectors: Float32Array; hashes: ImageHashes }> {
  const pixels = new Float32Array(images.length * 3 * side * side);
  const hashes: (string | undefined)[] = [];
  const prints: string[] = [];
  for (const [i, bytes] of images.entries()) {
    const decoded = await decodeImage(bytes, side, config.resize);
    rgbToChw(decoded.rgb, side, config, pixels, i * 3 * side * side);
    hashes.push(perceptualHash(decoded.preview));
    prints.push(Buffer.from(pixelPrint(decoded.rgb, side)).toString('base64'));
  }
  return { vectors: await encoder.encode(pixels, images.length), hashes: ImageHashes.fromHex(hashes, prints) };
}

const fixture = (name: string) => readFileSync(join(FIXTURES, `${name}.jpg`));

describe('default encoder', () => {
  it('is the model LOCAL_EMBEDDING_CONFIG pins', () => {
    expect(sha256Hex(model)).toBe(config.model_sha256);
  });

  it('computes what TF.js computes with the same nsfwjs weights', async () => {
    await tf.setBackend('cpu');
    const require = createRequire(import.meta.url);
    const folder = join(dirname(require.resolve('nsfwjs')), '..', 'models', DEFAULT_ENCODER.nsfwjsModel);
    const json = require(join(folder, 'model.min.js'));
    const shards = json.weightsManifest.flatMap((group: { paths: string[] }) =>
      group.paths.map((path) => Buffer.from(require(join(folder, `${path}.min.js`)) as string, 'base64')),
    );
    const weightData = new Uint8Array(Buffer.concat(shards)).buffer;
    // The model declares a 224 px input; it is fully convolutional up to the layer, so let it take 160 px.
    const topology = structuredClone(json.modelTopology);
    for (const dim of topology.node.find((n: { op: string }) => n.op === 'Placeholder').attr.shape.shape.dim)
      dim.size = '-1';
    const graph = await tf.loadGraphModel(
      tf.io.fromMemory({
        modelTopology: topology,
        weightSpecs: json.weightsManifest.flatMap((group: { weights: unknown[] }) => group.weights),
        weightData,
      }),
    );
    const layer = json.modelTopology.node.find((n: { name: string }) =>
      n.name.endsWith(`/${DEFAULT_ENCODER.layer}`),
    ).name;

    const images = NAMES.slice(0, 3).map((name) => fixture(name));
    const { vectors: onnx } = await embed(images);
    // TF.js gets the network's own input: the 64 px pixels upsampled by ONNX Runtime's own bicubic Resize, the
    // reference the model's cheaper upsampling (bicubic-upsample.ts) must equal.
    const net = DEFAULT_ENCODER.networkSize;
    const resize = await ort.InferenceSession.create(
      cubicResizeModel({
        input: 'pixel_values',
        output: 'network_input',
        batch: 1,
        channels: 3,
        side,
        factor: net / side,
        a: -0.5,
      }),
    );
    let worst = 0;
    for (const [i, bytes] of images.entries()) {
      const { rgb } = await decodeImage(bytes, side, config.resize);
      const chw = new Float32Array(3 * side * side);
      rgbToChw(rgb, side, config, chw, 0);
      const out = await resize.run({ pixel_values: new ort.Tensor('float32', chw, [1, 3, side, side]) });
      const input = tf.tidy(() =>
        tf.tensor4d(out.network_input!.data as Float32Array, [1, 3, net, net]).transpose([0, 2, 3, 1]),
      );
      const map = graph.execute({ input }, layer) as tf.Tensor4D;
      const reference = tfDescriptor(map, initializer(model, 'centre'), initializer(model, 'projection'));
      for (let x = 0; x < config.dimension; x++)
        worst = Math.max(worst, Math.abs(reference[x]! - onnx[i * config.dimension + x]!));
      tf.dispose([input, map]);
    }
    await resize.release();
    // float32 arithmetic in another order (NHWC vs NCHW kernels): unit vectors agree to ~1e-6.
    expect(worst).toBeLessThan(1e-4);
  }, 180_000);

  it('puts transformed copies with their original and keeps unrelated images apart', async () => {
    const originals = await Promise.all(NAMES.map((name) => fixture(name)));
    const chelsea = originals[0]!;
    const meta = await sharp(chelsea).metadata();
    const copies = [
      // a crop of 15 %, resized to half and saved as a low-quality JPEG
      await sharp(chelsea)
        .extract({ left: 12, top: 8, width: meta.width! - 24, height: meta.height! - 16 })
        .resize(80)
        .jpeg({ quality: 50 })
        .toBuffer(),
      // a mirror image of the coffee cup
      await sharp(originals[1]!).flop().png().toBuffer(),
    ];
    // A transparent PNG whose hidden pixels are noise, and its copy flattened onto white (issue 9's PNG → JPEG case).
    const mask = Buffer.from(
      `<svg width="${meta.width}" height="${meta.height}"><ellipse cx="${meta.width! / 2}" cy="${meta.height! / 2}" rx="${meta.width! / 2.2}" ry="${meta.height! / 2.2}" fill="#fff"/></svg>`,
    );
    const alpha = await sharp(mask).greyscale().raw().toBuffer();
    const { data: rgb, info } = await sharp(originals[2]!).raw().toBuffer({ resolveWithObject: true });
    const rgba = Buffer.alloc(info.width * info.height * 4);
    for (let p = 0; p < info.width * info.height; p++) {
      const opaque = alpha[p]! > 127;
      for (let c = 0; c < 3; c++) rgba[p * 4 + c] = opaque ? rgb[p * 3 + c]! : (p * 37 + c * 101) % 256;
      rgba[p * 4 + 3] = opaque ? 255 : 0;
    }
    const transparent = await sharp(rgba, { raw: { width: info.width, height: info.height, channels: 4 } })
      .png()
      .toBuffer();
    const flattened = await sharp(transparent).flatten({ background: '#ffffff' }).jpeg({ quality: 85 }).toBuffer();

    const images = [...originals.slice(0, 2), ...originals.slice(3), transparent, ...copies, flattened];
    // rows: 0 chelsea, 1 coffee, 2 hubble, 3 grace hopper, 4 transparent astronaut, 5 chelsea copy, 6 coffee mirror,
    // 7 flattened astronaut
    const { vectors, hashes } = await embed(images);
    const exact = await ExactKnn.open(config.dimension, 'cpu', () => {});
    try {
      const graph = await exact.search(vectors, vectors, 3, 0);
      const { labels } = nearDuplicateClusters(graph, vectors, config.dimension, config.similarity_threshold!, {
        hashes,
        maxDistance: config.phash_distance!,
        minAgreement: config.pixel_agreement,
      });
      expect(labels[5]).toBe(labels[0]);
      expect(labels[6]).toBe(labels[1]);
      expect(labels[7]).toBe(labels[4]);
      expect(new Set([labels[0], labels[1], labels[2], labels[3], labels[4]]).size).toBe(5);
    } finally {
      await exact.release();
    }
  }, 60_000);
});

/** GAP → L2 → minus the centre → × the projection → L2 (the head of the ONNX model), from a TF.js NHWC feature map. */
function tfDescriptor(map: tf.Tensor4D, centre: Float32Array, projection: Float32Array): Float32Array {
  return tf.tidy(() => {
    const pooled = map.mean([1, 2]).squeeze() as tf.Tensor1D;
    const centred = pooled.div(pooled.norm()).sub(tf.tensor1d(centre));
    const whitened = tf.matMul(
      centred.reshape([1, centre.length]),
      tf.tensor2d(projection, [centre.length, projection.length / centre.length]),
    );
    return whitened.div(whitened.norm()).dataSync() as Float32Array;
  });
}

const decodeModel = (bytes: Uint8Array) => onnxProto.onnx.ModelProto.decode(bytes);

function initializer(bytes: Uint8Array, name: string): Float32Array {
  const raw = decodeModel(bytes).graph!.initializer!.find((t) => t.name === name)!.rawData!;
  return new Float32Array(Uint8Array.from(raw).buffer);
}
