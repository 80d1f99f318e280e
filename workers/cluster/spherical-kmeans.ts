import type { ExactKnn } from './exact-knn';

export interface KmeansResult {
  /** `k` unit-length centroids, row-major. */
  readonly centroids: Float32Array;
  /** Nearest centroid of every input row under the final centroids. */
  readonly labels: Int32Array;
}

/**
 * Spherical k-means (cosine): assignment is a 1-nearest-neighbour search of the rows against the centroids by the
 * blocked GEMM of ExactKnn, the update is the normalised sum of each centroid's rows. Deterministic: the first centroids
 * are rows spread evenly over the input, and a centroid that loses all its rows keeps its place.
 */
export async function sphericalKmeans(
  vectors: Float32Array,
  dimension: number,
  requested: number,
  exact: ExactKnn,
  iterations: number,
): Promise<KmeansResult> {
  const n = vectors.length / dimension;
  if (n === 0) return { centroids: new Float32Array(0), labels: new Int32Array(0) };
  const k = Math.max(1, Math.min(requested, n));
  const centroids = new Float32Array(k * dimension);
  for (let c = 0; c < k; c++) {
    const row = Math.floor(((c + 0.5) * n) / k);
    centroids.set(vectors.subarray(row * dimension, (row + 1) * dimension), c * dimension);
  }
  let labels = await nearestCentroid(exact, centroids, vectors);
  for (let iteration = 0; iteration < iterations && k > 1; iteration++) {
    updateCentroids(vectors, dimension, labels, centroids);
    labels = await nearestCentroid(exact, centroids, vectors);
  }
  return { centroids, labels };
}

/** The index of the most similar centroid of each row. */
export async function nearestCentroid(
  exact: ExactKnn,
  centroids: Float32Array,
  vectors: Float32Array,
): Promise<Int32Array> {
  return (await exact.search(centroids, vectors, 1)).neighbours;
}

function updateCentroids(vectors: Float32Array, dimension: number, labels: Int32Array, centroids: Float32Array): void {
  const k = centroids.length / dimension;
  const sums = new Float64Array(k * dimension);
  const counts = new Int32Array(k);
  for (let row = 0; row < labels.length; row++) {
    const c = labels[row];
    counts[c]++;
    const target = c * dimension;
    const source = row * dimension;
    for (let x = 0; x < dimension; x++) sums[target + x] += vectors[source + x];
  }
  for (let c = 0; c < k; c++) {
    if (counts[c] === 0) continue;
    let norm = 0;
    for (let x = 0; x < dimension; x++) norm += sums[c * dimension + x] ** 2;
    norm = Math.sqrt(norm);
    // Rows that cancel out exactly leave the centroid where it was rather than pointing nowhere.
    if (!(norm > 0)) continue;
    for (let x = 0; x < dimension; x++) centroids[c * dimension + x] = sums[c * dimension + x] / norm;
  }
}
