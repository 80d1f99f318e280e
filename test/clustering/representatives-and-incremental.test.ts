import { describe, expect, it } from 'vitest';
import { partialClusterId } from '../../core/clustering/cluster-ids';
import { assignIncrementally } from '../../core/clustering/incremental-assignment';
import { emptyKnnGraph, type KnnGraph } from '../../core/clustering/knn-graph';
import { representatives } from '../../core/clustering/representatives';
import { meanDirection, normaliseRows } from '../../core/clustering/vector-math';

const unit = (...rows: number[][]) => normaliseRows(Float32Array.from(rows.flat()), rows[0].length);

function graphOf(rows: readonly (readonly [number, number])[][], k = 2): KnnGraph {
  const graph = emptyKnnGraph(rows.length, k);
  rows.forEach((list, i) => {
    list.forEach(([j, similarity], slot) => {
      graph.neighbours[i * k + slot] = j;
      graph.similarities[i * k + slot] = similarity;
    });
  });
  return graph;
}

describe('vector helpers', () => {
  it('averages frame vectors into one unit vector', () => {
    const frames = unit([1, 0], [0, 1]);
    const mean = meanDirection(frames, 2, 0, 2);
    expect(mean[0]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(mean[1]).toBeCloseTo(Math.SQRT1_2, 6);
  });

  it('refuses a zero vector instead of dividing by zero', () => {
    expect(() => normaliseRows(new Float32Array([0, 0, 1, 0]), 2)).toThrow(/row 0 has no direction/);
  });
});

describe('representatives', () => {
  it('picks the member closest to the centre of its cluster', () => {
    // cluster 0: three directions around 45°, the middle one is the representative; cluster 1: a singleton
    const vectors = unit([1, 0.2], [1, 1], [0.2, 1], [-1, 0]);
    const chosen = representatives(vectors, 2, Int32Array.from([0, 0, 0, 1]), 2);
    expect(Array.from(chosen)).toEqual([1, 3]);
  });
});

describe('assignIncrementally', () => {
  const vectors = unit([1, 0], [1, 0.1], [0, 1], [0.1, 1], [-1, 0]);

  it('joins a new media to its nearest clustered neighbour when similar enough', () => {
    const result = assignIncrementally({
      batchId: 'b2',
      vectors: vectors.subarray(0, 2 * 2),
      dimension: 2,
      existing: [
        { clusterId: 'c00000003', similarity: 0.97 },
        { clusterId: 'c00000001', similarity: 0.4 },
      ],
      batchGraph: graphOf([[], []]),
      threshold: 0.9,
    });
    expect(result.clusterIds).toEqual(['c00000003', partialClusterId('b2', 0)]);
    expect(result.joined).toEqual(new Map([['c00000003', 1]]));
    expect(result.newClusters).toEqual([{ clusterId: partialClusterId('b2', 0), members: [1], representative: 1 }]);
  });

  it('pulls a new media linked to a joiner into the same existing cluster, as a full clustering would', () => {
    const result = assignIncrementally({
      batchId: 'b2',
      vectors: vectors.subarray(0, 4 * 2),
      dimension: 2,
      existing: [{ clusterId: 'c00000007', similarity: 0.95 }, null, null, null],
      batchGraph: graphOf([[[1, 0.93]], [[0, 0.93]], [[3, 0.92]], [[2, 0.92]]]),
      threshold: 0.9,
    });
    expect(result.clusterIds.slice(0, 2)).toEqual(['c00000007', 'c00000007']);
    expect(result.joined.get('c00000007')).toBe(2);
    expect(result.clusterIds[2]).toBe(result.clusterIds[3]);
    expect(result.newClusters).toHaveLength(1);
    expect(result.newClusters[0].members).toEqual([2, 3]);
  });

  it('keeps each media with its own match when a batch bridges two existing clusters', () => {
    const result = assignIncrementally({
      batchId: 'b3',
      vectors: vectors.subarray(0, 3 * 2),
      dimension: 2,
      existing: [{ clusterId: 'c00000001', similarity: 0.91 }, null, { clusterId: 'c00000002', similarity: 0.99 }],
      batchGraph: graphOf([
        [[1, 0.95]],
        [
          [0, 0.95],
          [2, 0.95],
        ],
        [[1, 0.95]],
      ]),
      threshold: 0.9,
    });
    // 0 and 2 keep their own neighbours' clusters; 1 follows the matched member of its group it is most similar to
    // (0 at cosine 0.995; 2 is at 0.1)
    expect(result.clusterIds).toEqual(['c00000001', 'c00000001', 'c00000002']);
    expect(result.newClusters).toEqual([]);
  });

  it('numbers new clusters largest first', () => {
    const result = assignIncrementally({
      batchId: 'b4',
      vectors,
      dimension: 2,
      existing: [null, null, null, null, null],
      batchGraph: graphOf([[], [], [[3, 0.99]], [[2, 0.99]], []]),
      threshold: 0.9,
    });
    expect(result.newClusters.map((c) => c.members)).toEqual([[2, 3], [0], [1], [4]]);
    expect(result.clusterIds[2]).toBe(partialClusterId('b4', 0));
  });
});
