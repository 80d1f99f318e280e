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

/** A cosine similarity threshold: above 0 (everything would be one cluster) and at most 1. */
const similarityThreshold = z
  .number('must be a number')
  .check(z.gt(0, 'must be above 0 and at most 1'), z.lte(1, 'must be above 0 and at most 1'));

/**
 * How images become vectors for one dataset (docs/data-model.md). Stored on the dataset item at its first indexing and
 * never changed afterwards: every later batch must be embedded the same way or its vectors are not comparable.
 */
export const EMBEDDING_CONFIG_SHAPE = {
  model_id: text(200),
  dimension: integer(2, 8192),
  /** Side of the square model input in pixels. */
  input_size: integer(8, 2048),
  /**
   * How an image becomes that square: `crop` (the default) scales its short side to it and keeps the centre, as CLIP was
   * trained; `fill` scales each side to it, keeping all of the image (a crop of a copy then shows the same content).
   */
  resize: z.optional(z.enum(['crop', 'fill'], 'must be crop or fill')),
  /** Per-channel RGB normalisation applied to pixels scaled to [0, 1]: (x - mean) / std. */
  mean: rgb(between(0, 1)),
  std: rgb(z.number().check(z.gt(0, 'must be positive'), z.lte(10, 'must be at most 10'))),
  version: text(100),
  /** Pins the exact model file; workers refuse a model whose bytes hash differently. */
  model_sha256: z.optional(z.string().check(z.regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits'))),
  /**
   * Cosine similarity from which two media are near-duplicates, calibrated for the encoder (bench/README.md). Stored
   * with the dataset so every batch is clustered at the same one; without it the workers use SIMILARITY_THRESHOLD.
   */
  similarity_threshold: z.optional(similarityThreshold),
  /**
   * Hamming distance (of 64 bits) from which two kNN neighbours are near-duplicates by their perceptual hashes (DCT
   * pHash, mirror-aware), whatever their cosine similarity; calibrated with the threshold. Absent: the vectors alone decide.
   */
  phash_distance: z.optional(integer(0, 32)),
  /**
   * With phash_distance: how well (normalised cross-correlation, −1 to 1) two media's pixel prints must agree, once
   * aligned, for their vectors alone to link them (core/clustering/pixel-agreement.ts); calibrated with the threshold.
   * Absent: no pixel check.
   */
  pixel_agreement: z.optional(
    z
      .number('must be a number')
      .check(z.gt(-1, 'must be above -1 and at most 1'), z.lte(1, 'must be above -1 and at most 1')),
  ),
};

const EmbeddingConfigSchema = z.object(EMBEDDING_CONFIG_SHAPE);

export type EmbeddingConfig = z.infer<typeof EmbeddingConfigSchema>;

/** The fields that name an encoder (a config read back from the table is typed no further than this). */
export interface EncoderIdentity {
  readonly model_id: string;
  readonly dimension: number;
  readonly version?: unknown;
  readonly model_sha256?: unknown;
  readonly [field: string]: unknown;
}

/**
 * Whether vectors embedded under `a` compare with vectors embedded under `b`: the same model (id, version, output width
 * and, where both pin them, the same bytes). The pixels' preparation and the threshold travel with the dataset's own
 * config, so those may differ.
 */
export function sameEncoder(a: EncoderIdentity, b: EncoderIdentity): boolean {
  const pinned = typeof a.model_sha256 === 'string' && typeof b.model_sha256 === 'string';
  return (
    a.model_id === b.model_id &&
    a.version === b.version &&
    a.dimension === b.dimension &&
    (!pinned || a.model_sha256 === b.model_sha256)
  );
}

/** The encoder a config names, for messages: its id, and the start of its pinned hash if any. */
export const encoderName = (config: EncoderIdentity): string =>
  typeof config.model_sha256 === 'string'
    ? `${config.model_id} (sha256 ${config.model_sha256.slice(0, 12)}…)`
    : config.model_id;

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

/** The config a dataset is first indexed with: the deployment's, with the threshold asked for at creation if any. */
export function embeddingConfigFor(
  defaults: EmbeddingConfig,
  similarityThreshold: number | undefined,
): EmbeddingConfig {
  return similarityThreshold === undefined ? defaults : { ...defaults, similarity_threshold: similarityThreshold };
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
 * The local default: MobileNetV2's trunk converted from the weights the nsfwjs package ships
 * (core/model/default-encoder.ts), fed 64×64 RGB in [0, 1]. Its bytes are deterministic for the nsfwjs version in
 * package-lock.json and the fitted head, hence the pinned hash; the threshold and the pHash distance are calibrated on
 * the tuning half of bench/fetch-corpus.sh's corpus by bench/calibrate-default-encoder.ts (bench/README.md).
 */
export const LOCAL_EMBEDDING_CONFIG: EmbeddingConfig = {
  model_id: 'mobilenet-v2-140-trunk-whitened',
  dimension: 320,
  input_size: 64,
  resize: 'fill',
  mean: [0, 0, 0],
  std: [1, 1, 1],
  version: '1',
  model_sha256: 'e3a5a965891c2f9f142b45c29ccf408f3c2a0e6555decd0fb4386e14401aed77',
  similarity_threshold: 0.56,
  phash_distance: 10,
  pixel_agreement: 0.95,
};

/**
 * The unit tests' encoder: the small one core/model/generate-test-model.ts writes (average-pool to an 8×8 grid,
 * centre, fixed seeded projection, L2 normalise). Fast and deterministic, hence the pinned hash; it knows nothing about
 * images beyond coarse colour layout.
 */
export const TEST_EMBEDDING_CONFIG: EmbeddingConfig = {
  model_id: 'pooled-projection-test',
  dimension: 128,
  input_size: 64,
  mean: CLIP_MEAN,
  std: CLIP_STD,
  version: '1',
  model_sha256: '9136e32893f50bc984bd67946ec5cd7b6a45ddab317adf677adb2225bbe96d85',
  similarity_threshold: 0.9,
};
