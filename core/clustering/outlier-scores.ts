import type { KnnGraph } from './knn-graph';

/**
 * 1 − mean similarity to an item's k nearest neighbours: near 0 inside a tight group, near 1 for an item unlike anything
 * else. An item with no neighbour at all (a dataset of one) scores 1.
 */
export function outlierScores(graph: KnnGraph): Float32Array {
  const scores = new Float32Array(graph.n);
  for (let i = 0; i < graph.n; i++) {
    let sum = 0;
    let count = 0;
    for (let slot = 0; slot < graph.k; slot++) {
      if (graph.neighbours[i * graph.k + slot] < 0) continue;
      sum += graph.similarities[i * graph.k + slot];
      count++;
    }
    scores[i] = count ? Math.min(2, Math.max(0, 1 - sum / count)) : 1;
  }
  return scores;
}
