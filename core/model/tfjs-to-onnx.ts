import { bicubicUpsample } from './bicubic-upsample';
import { encodeModel, floatInitializer, node, tensorInfo } from './onnx-graph';
import { decodeWeights, type Tensor, type TfjsAttr, type TfjsGraphModelJson, type TfjsNode } from './tfjs-graph-model';

/**
 * Converts the convolutional trunk of a TensorFlow.js graph model (NHWC, TF ops as tensorflowjs_converter fuses them)
 * into an ONNX image feature extractor (NCHW), cut at one layer:
 *
 *   pixel_values [N,3,s,s], RGB in [0,1]
 *     → bicubic upsampling to the network's side          every image reaches the network from the same small size, so
 *                                                          a copy at another resolution gives the same input
 *     → the model's own ops up to `layer`                  Mul/Sub (input scaling), fused Conv2D / depthwise Conv2D with
 *                                                          bias and ReLU6, AddV2 (residuals)
 *     → GlobalAveragePool → LpNormalization
 *     → Sub `centre`                                       centring on a corpus mean spreads unrelated images around
 *                                                          cosine 0 instead of crowding them near 1
 *     → MatMul `projection` (when given)                   a whitening learnt on a corpus: directions along which
 *                                                          unrelated images vary a lot weigh less than rare ones
 *     → LpNormalization → image_embeds [N,D]
 */
export interface FeatureExtractorSpec {
  readonly name: string;
  /** Node name (or its unique suffix after a `/`) whose output is pooled. */
  readonly layer: string;
  /** Side of the square input the pipeline decodes (embedding_config.input_size). */
  readonly inputSize: number;
  /** Side the network runs at: a whole multiple of inputSize (bicubic-upsample.ts). */
  readonly networkSize: number;
  /** Subtracted from the pooled, normalised descriptor; its length is the layer's channel count. */
  readonly centre: Float32Array;
  /** Row-major [channels, outputs] matrix the centred descriptor is multiplied by; absent: D is the channel count. */
  readonly projection?: { readonly matrix: Float32Array; readonly outputs: number };
  readonly docString: string;
}

interface Conv {
  readonly input: string;
  readonly weight: Float32Array;
  readonly dims: [number, number, number, number];
  readonly bias: Float32Array;
  readonly strides: [number, number];
  readonly same: boolean;
  readonly group: number;
  readonly relu6: boolean;
}

type Step =
  | { readonly kind: 'conv'; readonly output: string; readonly conv: Conv }
  | { readonly kind: 'add'; readonly output: string; readonly inputs: readonly string[] }
  | {
      readonly kind: 'scale';
      readonly output: string;
      readonly input: string;
      readonly mul: number;
      readonly add: number;
    };

/** A graph model and its weights (the shard files' bytes, concatenated in manifest order) → ONNX bytes. */
export function convertTfjsGraphModel(
  model: TfjsGraphModelJson,
  weightBytes: Uint8Array,
  spec: FeatureExtractorSpec,
): { bytes: Uint8Array; dimension: number } {
  const weights = decodeWeights(
    weightBytes,
    model.weightsManifest.flatMap((group) => group.weights),
  );
  const { steps, channels, output } = trunk(model.modelTopology.node, weights, spec.layer);
  if (spec.centre.length !== channels)
    throw new Error(`centre has ${spec.centre.length} values, ${spec.layer} has ${channels} channels`);
  const { projection } = spec;
  if (projection && projection.matrix.length !== channels * projection.outputs)
    throw new Error(`projection has ${projection.matrix.length} values, not ${channels}×${projection.outputs}`);
  const dimension = projection?.outputs ?? channels;

  const initializers = [
    floatInitializer('zero', [], Float32Array.of(0)),
    floatInitializer('six', [], Float32Array.of(6)),
    floatInitializer('centre', [1, channels], spec.centre),
    ...(projection ? [floatInitializer('projection', [channels, projection.outputs], projection.matrix)] : []),
  ];
  // Keys' a = −0.5 (as PIL), half-pixel centres.
  const upsampling = bicubicUpsample({
    input: 'pixel_values',
    output: 'network_input',
    channels: 3,
    factor: spec.networkSize / spec.inputSize,
    a: -0.5,
  });
  initializers.push(...upsampling.initializers);
  const nodes = [...upsampling.nodes];
  const rename = (name: string) => (name === 'pixel_values' ? 'network_input' : name);
  for (const step of steps) {
    if (step.kind === 'scale') {
      initializers.push(
        floatInitializer(`${step.output}/mul`, [], Float32Array.of(step.mul)),
        floatInitializer(`${step.output}/add`, [], Float32Array.of(step.add)),
      );
      nodes.push(
        node('Mul', [rename(step.input), `${step.output}/mul`], [`${step.output}/scaled`]),
        node('Add', [`${step.output}/scaled`, `${step.output}/add`], [step.output]),
      );
    } else if (step.kind === 'add') {
      nodes.push(node('Add', step.inputs.map(rename), [step.output]));
    } else {
      const { conv } = step;
      initializers.push(
        floatInitializer(`${step.output}/W`, conv.dims, conv.weight),
        floatInitializer(`${step.output}/B`, [conv.dims[0]], conv.bias),
      );
      const linear = conv.relu6 ? `${step.output}/linear` : step.output;
      nodes.push(
        node('Conv', [rename(conv.input), `${step.output}/W`, `${step.output}/B`], [linear], {
          kernel_shape: [conv.dims[2], conv.dims[3]],
          strides: conv.strides,
          group: conv.group,
          // TF's SAME pads the extra row/column at the end, as ONNX's SAME_UPPER does.
          ...(conv.same ? { auto_pad: 'SAME_UPPER' } : { pads: [0, 0, 0, 0] }),
        }),
      );
      // ONNX Runtime fuses Conv + Clip into one kernel.
      if (conv.relu6) nodes.push(node('Clip', [linear, 'zero', 'six'], [step.output]));
    }
  }
  nodes.push(
    node('GlobalAveragePool', [output], ['pooled']),
    node('Flatten', ['pooled'], ['descriptor'], { axis: 1 }),
    node('LpNormalization', ['descriptor'], ['unit'], { axis: 1, p: 2 }),
    node('Sub', ['unit', 'centre'], ['centred']),
    ...(projection ? [node('MatMul', ['centred', 'projection'], ['projected'])] : []),
    node('LpNormalization', [projection ? 'projected' : 'centred'], ['image_embeds'], { axis: 1, p: 2 }),
  );
  const bytes = encodeModel({
    name: spec.name,
    docString: spec.docString,
    inputs: [tensorInfo('pixel_values', 'float', ['batch', 3, spec.inputSize, spec.inputSize])],
    outputs: [tensorInfo('image_embeds', 'float', ['batch', dimension])],
    initializers,
    nodes,
  });
  return { bytes, dimension };
}

const text = (attr: TfjsAttr | undefined): string => (attr?.s ? Buffer.from(attr.s, 'base64').toString() : '');

/** The ops from the input to `layer` (only those it depends on), with channel counts. */
function trunk(
  graph: readonly TfjsNode[],
  weights: Map<string, Tensor>,
  layer: string,
): { steps: Step[]; channels: number; output: string } {
  const target = graph.filter((n) => n.name === layer || n.name.endsWith(`/${layer}`));
  if (target.length !== 1) throw new Error(`layer ${layer} names ${target.length} nodes of the graph`);
  const byName = new Map(graph.map((n) => [n.name, n]));
  const tensor = (name: string) => {
    const found = weights.get(name);
    if (!found) throw new Error(`no weight ${name}`);
    return found;
  };
  const steps: Step[] = [];
  const channels = new Map<string, number>();
  const visit = (name: string): string => {
    if (channels.has(name)) return name === inputName ? 'pixel_values' : name;
    const n = byName.get(name);
    if (!n) throw new Error(`graph has no node ${name}`);
    const inputs = (n.input ?? []).filter((x) => !x.startsWith('^'));
    switch (n.op) {
      case 'Placeholder':
        inputName = name;
        channels.set(name, 3);
        return 'pixel_values';
      case 'Mul':
      case 'Sub': {
        const [data, constant] = weights.has(inputs[0]!) ? [inputs[1]!, inputs[0]!] : [inputs[0]!, inputs[1]!];
        const value = tensor(constant).values;
        if (value.length !== 1) throw new Error(`${name}: only scalar ${n.op} is supported`);
        const input = visit(data);
        channels.set(name, channels.get(data)!);
        steps.push({
          kind: 'scale',
          output: name,
          input,
          mul: n.op === 'Mul' ? value[0]! : 1,
          add: n.op === 'Sub' ? -value[0]! : 0,
        });
        return name;
      }
      case '_FusedConv2D':
      case 'FusedDepthwiseConv2dNative': {
        const fused = (n.attr?.fused_ops?.list?.s ?? []).map((s) => Buffer.from(s, 'base64').toString());
        if (fused[0] !== 'BiasAdd' || fused.length > 2 || (fused[1] !== undefined && fused[1] !== 'Relu6'))
          throw new Error(`${name}: fused ops ${fused.join(',')} are not supported`);
        if (text(n.attr?.data_format) !== 'NHWC') throw new Error(`${name}: only NHWC is supported`);
        const padding = text(n.attr?.padding);
        if (padding !== 'SAME' && padding !== 'VALID') throw new Error(`${name}: padding ${padding} is not supported`);
        const dilations = (n.attr?.dilations?.list?.i ?? []).map(Number);
        if (dilations.some((d) => d !== 1)) throw new Error(`${name}: dilations are not supported`);
        const filter = tensor(inputs[1]!);
        const depthwise = n.op === 'FusedDepthwiseConv2dNative';
        const kernel = depthwise ? depthwiseKernel(filter) : convKernel(filter);
        const input = visit(inputs[0]!);
        const strides = (n.attr?.strides?.list?.i ?? ['1', '1', '1', '1']).map(Number);
        channels.set(name, kernel.dims[0]);
        steps.push({
          kind: 'conv',
          output: name,
          conv: {
            input,
            weight: kernel.weight,
            dims: kernel.dims,
            bias: Float32Array.from(tensor(inputs[2]!).values),
            strides: [strides[1]!, strides[2]!],
            same: padding === 'SAME',
            group: depthwise ? channels.get(inputs[0]!)! : 1,
            relu6: fused[1] === 'Relu6',
          },
        });
        return name;
      }
      case 'AddV2': {
        const resolved = inputs.map(visit);
        channels.set(name, channels.get(inputs[0]!)!);
        steps.push({ kind: 'add', output: name, inputs: resolved });
        return name;
      }
      default:
        throw new Error(`${name}: op ${n.op} is not supported`);
    }
  };
  let inputName = '';
  const output = visit(target[0]!.name);
  return { steps, channels: channels.get(target[0]!.name)!, output };
}

/** TF kernel [kh, kw, in, out] → ONNX [out, in, kh, kw]. */
function convKernel({ shape, values }: Tensor): { weight: Float32Array; dims: [number, number, number, number] } {
  const [kh, kw, cin, cout] = shape as [number, number, number, number];
  const weight = new Float32Array(values.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++)
          weight[((o * cin + i) * kh + y) * kw + x] = values[((y * kw + x) * cin + i) * cout + o]!;
  return { weight, dims: [cout, cin, kh, kw] };
}

/** TF depthwise kernel [kh, kw, in, multiplier] → ONNX grouped kernel [in × multiplier, 1, kh, kw]. */
function depthwiseKernel({ shape, values }: Tensor): { weight: Float32Array; dims: [number, number, number, number] } {
  const [kh, kw, cin, multiplier] = shape as [number, number, number, number];
  const weight = new Float32Array(values.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let c = 0; c < cin; c++)
        for (let m = 0; m < multiplier; m++)
          weight[((c * multiplier + m) * kh + y) * kw + x] = values[((y * kw + x) * cin + c) * multiplier + m]!;
  return { weight, dims: [cin * multiplier, 1, kh, kw] };
}
