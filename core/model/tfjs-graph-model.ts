/**
 * A TensorFlow.js graph model (model.json topology + weights manifest, as `tensorflowjs_converter` writes it) read into
 * plain tensors. Only what the default encoder's conversion needs: float32 weights, raw or uint8/uint16-quantised.
 */
export interface TfjsAttr {
  readonly s?: string;
  readonly i?: string;
  readonly f?: number;
  readonly list?: { readonly i?: readonly string[]; readonly s?: readonly string[] };
}

export interface TfjsNode {
  readonly name: string;
  readonly op: string;
  readonly input?: readonly string[];
  readonly attr?: Readonly<Record<string, TfjsAttr>>;
}

export interface TfjsWeightSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: string;
  readonly quantization?: { readonly dtype: string; readonly min?: number; readonly scale?: number };
}

export interface TfjsGraphModelJson {
  readonly modelTopology: { readonly node: readonly TfjsNode[] };
  readonly weightsManifest: readonly {
    readonly paths: readonly string[];
    readonly weights: readonly TfjsWeightSpec[];
  }[];
}

export interface Tensor {
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/**
 * The weights of `manifest`, from the concatenation of its shard files. Quantised values become `q × scale + min`
 * computed in double precision and stored as float32, exactly as TF.js's io.decodeWeights does, so the ONNX model and
 * TF.js start from the same numbers.
 */
export function decodeWeights(bytes: Uint8Array, specs: readonly TfjsWeightSpec[]): Map<string, Tensor> {
  const tensors = new Map<string, Tensor>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  for (const spec of specs) {
    if (spec.dtype !== 'float32') throw new Error(`weight ${spec.name}: dtype ${spec.dtype} is not supported`);
    const count = spec.shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(count);
    const quantization = spec.quantization;
    if (!quantization) {
      for (let i = 0; i < count; i++) values[i] = view.getFloat32(offset + 4 * i, true);
      offset += 4 * count;
    } else if (quantization.dtype === 'uint8' || quantization.dtype === 'uint16') {
      const wide = quantization.dtype === 'uint16';
      const scale = quantization.scale ?? 1;
      const min = quantization.min ?? 0;
      for (let i = 0; i < count; i++)
        values[i] = (wide ? view.getUint16(offset + 2 * i, true) : bytes[offset + i]!) * scale + min;
      offset += (wide ? 2 : 1) * count;
    } else {
      throw new Error(`weight ${spec.name}: quantization ${quantization.dtype} is not supported`);
    }
    tensors.set(spec.name, { shape: spec.shape, values });
  }
  if (offset !== bytes.length)
    throw new Error(`weights: the manifest describes ${offset} bytes, the shards hold ${bytes.length}`);
  return tensors;
}
