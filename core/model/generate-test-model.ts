import { TEST_EMBEDDING_CONFIG } from '../datasets/embedding-config';
import { ensureModelFile } from './model-file';
import { encodeModel, floatInitializer, node, tensorInfo } from './onnx-graph';

/**
 * The small image encoder of the unit tests, written from real ONNX operators:
 *
 *   pixel_values [N,3,S,S] → AveragePool (S/G × S/G) → [N,3,G,G] → Flatten → [N,3G²]
 *     → subtract the per-image mean (ReduceMean, Sub)        brightness shifts do not move the vector
 *     → Gemm with a fixed seeded ±1 projection [3G², D]       a Johnson–Lindenstrauss projection: keeps cosines
 *     → LpNormalization (p = 2)                              image_embeds [N,D], unit length
 *
 * Coarse pooling makes resized, re-encoded or slightly cropped copies land close to each other and unrelated images
 * far apart, which is all the pipeline needs to be exercised end to end. It knows nothing about semantics: it is not a
 * substitute for CLIP. Same inputs → same bytes, so its hash can be pinned.
 */
export interface TestModelShape {
  readonly inputSize: number;
  readonly grid: number;
  readonly dimension: number;
  readonly seed: number;
}

const TEST_MODEL_SHAPE: TestModelShape = {
  inputSize: TEST_EMBEDDING_CONFIG.input_size,
  grid: 8,
  dimension: TEST_EMBEDDING_CONFIG.dimension,
  seed: 20240601,
};

export function buildTestModel(shape: TestModelShape = TEST_MODEL_SHAPE): Uint8Array {
  const { inputSize, grid, dimension } = shape;
  if (inputSize % grid !== 0) throw new Error(`input size ${inputSize} must be a multiple of the grid ${grid}`);
  const cell = inputSize / grid;
  const features = 3 * grid * grid;
  return encodeModel({
    name: 'pooled_projection_encoder',
    docString: `Test image encoder: ${grid}x${grid} average pool, centred, ±1 projection to ${dimension}, L2 normalised`,
    inputs: [tensorInfo('pixel_values', 'float', ['batch', 3, inputSize, inputSize])],
    outputs: [tensorInfo('image_embeds', 'float', ['batch', dimension])],
    initializers: [
      floatInitializer('projection', [features, dimension], signProjection(features, dimension, shape.seed)),
    ],
    nodes: [
      node('AveragePool', ['pixel_values'], ['pooled'], { kernel_shape: [cell, cell], strides: [cell, cell] }),
      node('Flatten', ['pooled'], ['features'], { axis: 1 }),
      node('ReduceMean', ['features'], ['feature_mean'], { axes: [1], keepdims: 1 }),
      node('Sub', ['features', 'feature_mean'], ['centred']),
      node('Gemm', ['centred', 'projection'], ['projected']),
      node('LpNormalization', ['projected'], ['image_embeds'], { axis: 1, p: 2 }),
    ],
  });
}

/** ±1/√rows entries from a 32-bit xorshift generator: integer arithmetic only, so identical bytes on every platform. */
function signProjection(rows: number, columns: number, seed: number): Float32Array {
  const scale = 1 / Math.sqrt(rows);
  const values = new Float32Array(rows * columns);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < values.length; i++) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    values[i] = state & 1 ? scale : -scale;
  }
  return values;
}

/**
 * Writes the test model to `path` unless a file with the expected bytes is already there; returns its sha256.
 * Unit tests call this and pass the hash on as MODEL_SHA256.
 */
export const ensureTestModel = (path: string): { path: string; sha256: string } =>
  ensureModelFile(path, buildTestModel());
