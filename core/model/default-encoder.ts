import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DEFAULT_ENCODER_CENTRE_BASE64 } from './default-encoder-centre';
import type { TfjsGraphModelJson } from './tfjs-graph-model';
import { convertTfjsGraphModel } from './tfjs-to-onnx';

/**
 * The default image encoder of local mode: the trunk of the MobileNetV2 (width 1.4, ImageNet-trained TF-Hub feature
 * vector) that the `nsfwjs` package ships as a TF.js graph model (its `mobilenet_v2_mid`), converted to ONNX here and
 * cut after the last inverted-residual block (`expanded_conv_16/project`, 448 channels at 5×5), average-pooled and
 * centred. bench/README.md has the measurements behind each choice: that layer (least chaining of unrelated images of
 * every layer tried), 64 px decoded then 160 px in the network (copies at other resolutions become the same input; 63
 * images per CPU-second with decoding), and the corpus mean (spreads unrelated images around cosine 0).
 */
export const DEFAULT_ENCODER = {
  nsfwjsModel: 'mobilenet_v2_mid',
  layer: 'MobilenetV2/expanded_conv_16/project/BatchNorm/FusedBatchNormV3',
  inputSize: 64,
  networkSize: 160,
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

/** The corpus mean subtracted from every descriptor (448 float32, little-endian, base64). */
function centre(): Float32Array {
  const bytes = Buffer.from(DEFAULT_ENCODER_CENTRE_BASE64, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** The default encoder's ONNX bytes; deterministic for one nsfwjs version, hence LOCAL_EMBEDDING_CONFIG's pinned hash. */
export function buildDefaultEncoder(): Uint8Array {
  const { model, weights } = readNsfwjsModel(DEFAULT_ENCODER.nsfwjsModel);
  return convertTfjsGraphModel(model, weights, {
    name: 'mobilenet_v2_140_trunk',
    layer: DEFAULT_ENCODER.layer,
    inputSize: DEFAULT_ENCODER.inputSize,
    networkSize: DEFAULT_ENCODER.networkSize,
    centre: centre(),
    docString: `nsfwjs ${DEFAULT_ENCODER.nsfwjsModel} up to ${DEFAULT_ENCODER.layer}, average-pooled, centred`,
  }).bytes;
}
