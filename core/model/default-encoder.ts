import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { getFloat16 } from '@petamoriken/float16';
import { DEFAULT_ENCODER_CENTRE_BASE64 } from './default-encoder-centre';
import { DEFAULT_ENCODER_WHITENING_BASE64, DEFAULT_ENCODER_WHITENING_OUTPUTS } from './default-encoder-whitening';
import type { TfjsGraphModelJson } from './tfjs-graph-model';
import { convertTfjsGraphModel, type FeatureExtractorSpec } from './tfjs-to-onnx';

/**
 * The default image encoder of local mode: the trunk of the MobileNetV2 (width 1.4, ImageNet-trained TF-Hub feature
 * vector) that the `nsfwjs` package ships as a TF.js graph model (its `mobilenet_v2_mid`), converted to ONNX here and
 * cut after the last inverted-residual block (`expanded_conv_16/project`, 448 channels at 4×4), average-pooled,
 * centred and whitened (PCA, 320 components). bench/README.md has the measurements behind each choice: that layer
 * (least chaining of unrelated images of every layer tried), 64 px decoded then 128 px in the network (copies at other
 * resolutions become the same input; 160 px costs 1.6× the inference for 0.01 F1 on the tuning half once the pixel
 * check guards the links), the corpus mean (spreads unrelated images around cosine 0) and the whitening (features
 * that every sprite shares stop dominating the cosine).
 */
export const DEFAULT_ENCODER = {
  nsfwjsModel: 'mobilenet_v2_mid',
  layer: 'MobilenetV2/expanded_conv_16/project/BatchNorm/FusedBatchNormV3',
  inputSize: 64,
  networkSize: 128,
} as const;

const require = createRequire(import.meta.url);

/** The graph model and its weight bytes as nsfwjs ships them: `model.min.js` and base64 shards in `*.min.js` files. */
function readNsfwjsModel(name: string): { model: TfjsGraphModelJson; weights: Uint8Array } {
  // nsfwjs exports no package.json; its CommonJS entry lies in dist/cjs and the models beside it in dist/models.
  const folder = join(dirname(require.resolve('nsfwjs')), '..', 'models', name);
  const model = require(join(folder, 'model.min.js')) as TfjsGraphModelJson;
  const shards = model.weightsManifest.flatMap((group) =>
    group.paths.map((path) => Buffer.from(require(join(folder, `${path}.min.js`)) as string, 'base64')),
  );
  return { model, weights: new Uint8Array(Buffer.concat(shards)) };
}

/** What follows the pooled, L2-normalised descriptor: minus `centre`, times `projection` when given, L2-normalised. */
export type EncoderHead = Pick<FeatureExtractorSpec, 'centre' | 'projection'>;

/** The head fitted by bench/fit-default-encoder.ts: the corpus mean (float32) and the whitening (float16). */
function fittedHead(): EncoderHead {
  const centre = Buffer.from(DEFAULT_ENCODER_CENTRE_BASE64, 'base64');
  return {
    centre: new Float32Array(centre.buffer.slice(centre.byteOffset, centre.byteOffset + centre.byteLength)),
    projection: {
      matrix: float16ToFloat32(Buffer.from(DEFAULT_ENCODER_WHITENING_BASE64, 'base64')),
      outputs: DEFAULT_ENCODER_WHITENING_OUTPUTS,
    },
  };
}

/** Little-endian IEEE half floats → float32 (halves keep the committed matrix small; they move cosines by < 1e-3). */
function float16ToFloat32(bytes: Uint8Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Float32Array.from({ length: bytes.length / 2 }, (_, i) => getFloat16(view, 2 * i, true));
}

/**
 * The default encoder's ONNX bytes; deterministic for one nsfwjs version, hence LOCAL_EMBEDDING_CONFIG's pinned hash.
 * Another `head` gives the same trunk with other pooling arithmetic (bench/fit-default-encoder.ts fits the head on
 * the trunk's plain descriptors).
 */
export function buildDefaultEncoder(head: EncoderHead = fittedHead()): Uint8Array {
  const { model, weights } = readNsfwjsModel(DEFAULT_ENCODER.nsfwjsModel);
  return convertTfjsGraphModel(model, weights, {
    name: 'mobilenet_v2_140_trunk',
    layer: DEFAULT_ENCODER.layer,
    inputSize: DEFAULT_ENCODER.inputSize,
    networkSize: DEFAULT_ENCODER.networkSize,
    ...head,
    docString: `nsfwjs ${DEFAULT_ENCODER.nsfwjsModel} up to ${DEFAULT_ENCODER.layer}, average-pooled, centred${head.projection ? `, whitened to ${head.projection.outputs}` : ''}`,
  }).bytes;
}
