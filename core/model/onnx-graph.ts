import onnxProto from 'onnx-proto';

/** Small helpers to write ONNX graphs from real ONNX operators (onnx-proto's generated protobuf classes). */
const { onnx } = onnxProto;

const { DataType } = onnx.TensorProto;
const { AttributeType } = onnx.AttributeProto;

export type Dimension = number | string;
export type ElementType = 'float' | 'int64';

const elementTypes: Record<ElementType, number> = { float: DataType.FLOAT, int64: DataType.INT64 };

/** A graph input or output: a tensor of `element` type whose named dimensions are left free (batch sizes). */
export function tensorInfo(
  name: string,
  element: ElementType,
  dims: readonly Dimension[],
): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: elementTypes[element],
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

export function floatInitializer(
  name: string,
  dims: readonly number[],
  values: Float32Array,
): onnxProto.onnx.ITensorProto {
  if (values.length !== dims.reduce((a, b) => a * b, 1))
    throw new Error(`initializer ${name}: ${values.length} values for shape [${dims}]`);
  return {
    name,
    dims: [...dims],
    dataType: DataType.FLOAT,
    rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
  };
}

export function int64Initializer(name: string, values: readonly number[]): onnxProto.onnx.ITensorProto {
  return { name, dims: [values.length], dataType: DataType.INT64, int64Data: [...values] };
}

/** An integer, a list of integers, a string, or a float written `{ float: x }` (JavaScript has one number type). */
type AttributeValue = number | readonly number[] | string | { readonly float: number };

export function node(
  opType: string,
  inputs: readonly string[],
  outputs: readonly string[],
  attributes: Readonly<Record<string, AttributeValue>> = {},
): onnxProto.onnx.INodeProto {
  return {
    opType,
    input: [...inputs],
    output: [...outputs],
    attribute: Object.entries(attributes).map(([name, value]) => {
      if (typeof value === 'number') return { name, type: AttributeType.INT, i: value };
      if (typeof value === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
      if ('float' in value) return { name, type: AttributeType.FLOAT, f: value.float };
      return { name, type: AttributeType.INTS, ints: [...value] };
    }),
  };
}

export interface GraphSpec {
  readonly name: string;
  readonly nodes: readonly onnxProto.onnx.INodeProto[];
  readonly inputs: readonly onnxProto.onnx.IValueInfoProto[];
  readonly outputs: readonly onnxProto.onnx.IValueInfoProto[];
  readonly initializers?: readonly onnxProto.onnx.ITensorProto[];
  readonly docString?: string;
}

/** Serialises a model with the default operator set at opset 17 (supported by every ONNX Runtime release since 1.14). */
export function encodeModel(spec: GraphSpec): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'add-media-backend',
    opsetImport: [{ domain: '', version: 17 }],
    docString: spec.docString ?? '',
    graph: {
      name: spec.name,
      node: [...spec.nodes],
      input: [...spec.inputs],
      output: [...spec.outputs],
      initializer: [...(spec.initializers ?? [])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
