/**
 * A k-nearest-neighbour graph: row i lists up to k neighbours of item i (never i itself), best first.
 * Missing neighbours are -1 with similarity -Infinity. Similarities are cosine similarities of L2-normalised vectors.
 */
export interface KnnGraph {
  readonly n: number;
  readonly k: number;
  readonly neighbours: Int32Array;
  readonly similarities: Float32Array;
}

export function emptyKnnGraph(n: number, k: number): KnnGraph {
  return { n, k, neighbours: new Int32Array(n * k).fill(-1), similarities: new Float32Array(n * k).fill(-Infinity) };
}
