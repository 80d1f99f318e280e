import * as ort from 'onnxruntime-node';
import { emptyKnnGraph, type KnnGraph } from '../../core/clustering/knn-graph';
import { encodeModel, node, tensorInfo } from '../../core/model/onnx-graph';
import { type ExecutionProviderPreference, openSession } from '../model/inference-session';

/** Similarity matrix entries computed per call: bounds the memory of one block (128 MiB of float32). */
const BLOCK_ELEMENTS = 32 * 1024 * 1024;

/**
 * Exact k-nearest-neighbour search by blocked matrix multiplication: for a block of queries, Gemm(queries, database^T)
 * gives every cosine similarity (the vectors are unit length), TopK keeps the best. The graph runs in ONNX Runtime, so
 * the multiply is its optimised GEMM on CPU, or cuBLAS where the CUDA provider is loaded.
 */
export class ExactKnn {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly dimension: number,
  ) {}

  static async open(
    dimension: number,
    preference: ExecutionProviderPreference,
    log: (message: string) => void,
  ): Promise<ExactKnn> {
    const model = encodeModel({
      name: 'blocked_exact_knn',
      inputs: [
        tensorInfo('queries', 'float', ['q', dimension]),
        tensorInfo('database', 'float', ['n', dimension]),
        tensorInfo('k', 'int64', [1]),
      ],
      outputs: [tensorInfo('similarities', 'float', ['q', 'k']), tensorInfo('indices', 'int64', ['q', 'k'])],
      nodes: [
        node('Gemm', ['queries', 'database'], ['scores'], { transB: 1 }),
        node('TopK', ['scores', 'k'], ['similarities', 'indices'], { axis: 1, largest: 1, sorted: 1 }),
      ],
    });
    const { session } = await openSession(model, preference, log);
    return new ExactKnn(session, dimension);
  }

  /**
   * The k most similar database rows of each query. With `selfOffset`, query q is database row selfOffset + q and is
   * left out of its own neighbours (the kNN graph of a set against itself).
   */
  async search(database: Float32Array, queries: Float32Array, k: number, selfOffset?: number): Promise<KnnGraph> {
    const d = this.dimension;
    const n = database.length / d;
    const q = queries.length / d;
    const graph = emptyKnnGraph(q, k);
    const take = Math.min(n, k + (selfOffset === undefined ? 0 : 1));
    if (take === 0 || q === 0) return graph;
    const databaseTensor = new ort.Tensor('float32', database, [n, d]);
    const kTensor = new ort.Tensor('int64', BigInt64Array.of(BigInt(take)), [1]);
    const block = Math.max(1, Math.min(q, Math.floor(BLOCK_ELEMENTS / n)));
    for (let start = 0; start < q; start += block) {
      const end = Math.min(q, start + block);
      const result = await this.session.run({
        queries: new ort.Tensor('float32', queries.subarray(start * d, end * d), [end - start, d]),
        database: databaseTensor,
        k: kTensor,
      });
      const similarities = result.similarities.data as Float32Array;
      const indices = result.indices.data as BigInt64Array;
      for (let row = 0; row < end - start; row++) {
        const query = start + row;
        const self = selfOffset === undefined ? -1 : selfOffset + query;
        let slot = 0;
        for (let c = 0; c < take && slot < k; c++) {
          const neighbour = Number(indices[row * take + c]);
          if (neighbour === self) continue;
          graph.neighbours[query * k + slot] = neighbour;
          graph.similarities[query * k + slot] = similarities[row * take + c];
          slot++;
        }
      }
    }
    return graph;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
