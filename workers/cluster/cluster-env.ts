import { EnvError, type EnvSource, intEnv, optionalEnv } from '../runtime/env';

const DEFAULT_SIMILARITY_THRESHOLD = 0.9;
const DEFAULT_KNN_K = 10;

/**
 * SIMILARITY_THRESHOLD: cosine similarity in (0, 1] from which two media are linked, for datasets whose embedding
 * config carries none; default 0.9.
 */
export function thresholdEnv(env: EnvSource): number {
  const raw = optionalEnv(env, 'SIMILARITY_THRESHOLD');
  if (raw === undefined) return DEFAULT_SIMILARITY_THRESHOLD;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || value > 1) {
    throw new EnvError(
      `Environment variable SIMILARITY_THRESHOLD must be a number in (0, 1], got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

export const knnKEnv = (env: EnvSource): number => intEnv(env, 'KNN_K', DEFAULT_KNN_K, { min: 1, max: 100 });

/** The threshold in force for a dataset: the one stored with its embedding config, else the worker's fallback. */
export function datasetThreshold(
  embeddingConfig: { readonly [key: string]: unknown } | undefined,
  fallback: number,
): number {
  const stored = embeddingConfig?.similarity_threshold;
  return typeof stored === 'number' && stored > 0 && stored <= 1 ? stored : fallback;
}

/** The pHash distance in force for a dataset: the one stored with its embedding config, else the worker's (if any). */
export function datasetHashDistance(
  embeddingConfig: { readonly [key: string]: unknown } | undefined,
  fallback: number | undefined,
): number | undefined {
  const stored = embeddingConfig?.phash_distance;
  return typeof stored === 'number' && Number.isInteger(stored) && stored >= 0 ? stored : fallback;
}

/** The pixel check in force for a dataset: the one stored with its embedding config, else the worker's (if any). */
export function datasetPixelAgreement(
  embeddingConfig: { readonly [key: string]: unknown } | undefined,
  fallback: number | undefined,
): number | undefined {
  const stored = embeddingConfig?.pixel_agreement;
  return typeof stored === 'number' && stored > -1 && stored <= 1 ? stored : fallback;
}
