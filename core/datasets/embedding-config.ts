// zod/mini keeps this schema out of the classic zod build in every API bundle that shows a dataset.
import * as z from 'zod/mini';

const between = (min: number, max: number) =>
  z.number().check(z.gte(min, `must be from ${min} to ${max}`), z.lte(max, `must be from ${min} to ${max}`));
const integer = (min: number, max: number) =>
  z
    .int(`must be an integer`)
    .check(z.gte(min, `must be from ${min} to ${max}`), z.lte(max, `must be from ${min} to ${max}`));
const text = (max: number) =>
  z
    .string('must be a string')
    .check(z.minLength(1, 'must not be empty'), z.maxLength(max, `must be at most ${max} characters`));
const rgb = (channel: z.ZodMiniNumber<number>) =>
  z.tuple([channel, channel, channel], 'must be three numbers (R, G, B)');

/**
 * How images become vectors for one dataset (docs/data-model.md). Stored on the dataset item at its first indexing and
 * never changed afterwards: every later batch must be embedded the same way or its vectors are not comparable.
 */
const EmbeddingConfigSchema = z.object({
  model_id: text(200),
  dimension: integer(2, 8192),
  /** Side of the square, centre-cropped model input in pixels. */
  input_size: integer(8, 2048),
  /** Per-channel RGB normalisation applied to pixels scaled to [0, 1]: (x - mean) / std. */
  mean: rgb(between(0, 1)),
  std: rgb(z.number().check(z.gt(0, 'must be positive'), z.lte(10, 'must be at most 10'))),
  version: text(100),
  /** Pins the exact model file; workers refuse a model whose bytes hash differently. */
  model_sha256: z.optional(z.string().check(z.regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits'))),
});

export type EmbeddingConfig = z.infer<typeof EmbeddingConfigSchema>;

/** Parses a config from the table or from a worker's EMBEDDING_CONFIG variable, naming every bad field. */
export function parseEmbeddingConfig(value: unknown): EmbeddingConfig {
  const parsed = EmbeddingConfigSchema.safeParse(typeof value === 'string' ? safeJson(value) : value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new Error(`Invalid embedding_config: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** Every problem of a candidate config (an object), by field path; empty when it is valid. */
export function embeddingConfigIssues(value: unknown): { path: readonly PropertyKey[]; message: string }[] {
  const parsed = EmbeddingConfigSchema.safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map(({ path, message }) => ({ path, message }));
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error('Invalid embedding_config: not valid JSON');
  }
}

const CLIP_MEAN: [number, number, number] = [0.48145466, 0.4578275, 0.40821073];
const CLIP_STD: [number, number, number] = [0.26862954, 0.26130258, 0.27577711];

/**
 * The cloud deployment's default: the image tower of OpenAI CLIP ViT-B/32 exported to ONNX (input `pixel_values`
 * [N,3,224,224], output `image_embeds` [N,512]). The model file itself is pinned at image build time (MODEL_SHA256).
 */
export const DEFAULT_EMBEDDING_CONFIG: EmbeddingConfig = {
  model_id: 'clip-vit-b32-image',
  dimension: 512,
  input_size: 224,
  mean: CLIP_MEAN,
  std: CLIP_STD,
  version: '1',
};

/**
 * The local / test default: the small encoder that core/model/generate-test-model.ts writes (average-pool to an
 * 8×8 grid, centre, fixed seeded projection, L2 normalise). Its bytes are deterministic, hence the pinned hash.
 */
export const LOCAL_EMBEDDING_CONFIG: EmbeddingConfig = {
  model_id: 'pooled-projection-test',
  dimension: 128,
  input_size: 64,
  mean: CLIP_MEAN,
  std: CLIP_STD,
  version: '1',
  model_sha256: '9136e32893f50bc984bd67946ec5cd7b6a45ddab317adf677adb2225bbe96d85',
};
