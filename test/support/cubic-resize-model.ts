import { encodeModel, floatInitializer, node, tensorInfo } from '../../core/model/onnx-graph';

/**
 * A model of one ONNX Resize (cubic, half-pixel centres) from `input` [batch, channels, side, side] to `output`, side ×
 * factor: the reference the default encoder's upsampling (core/model/bicubic-upsample.ts) must equal.
 */
export function cubicResizeModel(spec: {
  readonly input: string;
  readonly output: string;
  readonly batch: number;
  readonly channels: number;
  readonly side: number;
  readonly factor: number;
  readonly a: number;
}): Uint8Array {
  const { input, output, batch, channels, side, factor, a } = spec;
  return encodeModel({
    name: 'resize',
    inputs: [tensorInfo(input, 'float', [batch, channels, side, side])],
    outputs: [tensorInfo(output, 'float', [batch, channels, side * factor, side * factor])],
    initializers: [floatInitializer('scales', [4], Float32Array.of(1, 1, factor, factor))],
    nodes: [
      node('Resize', [input, '', 'scales'], [output], {
        mode: 'cubic',
        cubic_coeff_a: { float: a },
        coordinate_transformation_mode: 'half_pixel',
      }),
    ],
  });
}
