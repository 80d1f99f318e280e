import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { bicubicUpsample } from '../../core/model/bicubic-upsample';
import { encodeModel, tensorInfo } from '../../core/model/onnx-graph';
import { cubicResizeModel } from '../support/cubic-resize-model';

/** The encoder's upsampling as convolutions, against ONNX Runtime's own cubic Resize on the same pixels. */
const BATCH = 2;
const CHANNELS = 3;

function io(side: number, factor: number) {
  return {
    inputs: [tensorInfo('x', 'float', [BATCH, CHANNELS, side, side])],
    outputs: [tensorInfo('y', 'float', [BATCH, CHANNELS, side * factor, side * factor])],
  };
}

async function run(model: Uint8Array, pixels: Float32Array, side: number): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(model);
  try {
    const { y } = await session.run({ x: new ort.Tensor('float32', pixels, [BATCH, CHANNELS, side, side]) });
    return y!.data as Float32Array;
  } finally {
    await session.release();
  }
}

const resize = (side: number, factor: number, a: number) =>
  cubicResizeModel({ input: 'x', output: 'y', batch: BATCH, channels: CHANNELS, side, factor, a });

const convolutions = (side: number, factor: number, a: number) => {
  const { nodes, initializers } = bicubicUpsample({ input: 'x', output: 'y', channels: CHANNELS, factor, a });
  return encodeModel({ name: 'upsample', ...io(side, factor), nodes, initializers });
};

/** Deterministic pixels in [0, 1] with sharp steps and edges, where the cubic's overshoot and edge clamping show. */
const pixels = (side: number) =>
  Float32Array.from({ length: BATCH * CHANNELS * side * side }, (_, i) => ((i * 7919) % 1009) / 1008);

describe('bicubic upsampling as convolutions', () => {
  it.each([
    { side: 64, factor: 2, a: -0.5 },
    { side: 7, factor: 2, a: -0.75 },
    { side: 9, factor: 3, a: -0.5 },
    { side: 5, factor: 4, a: -0.75 },
  ])('equals Resize (cubic, half_pixel) for $side px × $factor, a = $a', async ({ side, factor, a }) => {
    const input = pixels(side);
    const expected = await run(resize(side, factor, a), input, side);
    const actual = await run(convolutions(side, factor, a), input, side);
    let worst = 0;
    for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(expected[i]! - actual[i]!));
    // The same sums in another order: float32 rounding only.
    expect(worst).toBeLessThan(1e-5);
  });

  it('passes the pixels through at factor 1', async () => {
    const input = pixels(6);
    expect(await run(convolutions(6, 1, -0.5), input, 6)).toEqual(input);
  });

  it('refuses a factor that is not a whole number', () => {
    expect(() => bicubicUpsample({ input: 'x', output: 'y', channels: 3, factor: 2.5, a: -0.5 })).toThrow(
      'upsampling factor 2.5 is not a whole number',
    );
  });
});
