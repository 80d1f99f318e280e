/** Row-major float32 matrices of unit vectors: the one vector format of the pipeline. */

export function dot(a: Float32Array, aOffset: number, b: Float32Array, bOffset: number, dimension: number): number {
  let sum = 0;
  for (let x = 0; x < dimension; x++) sum += a[aOffset + x] * b[bOffset + x];
  return sum;
}

/** Scales each row of `matrix` to unit length in place; an all-zero row is an error (it has no direction). */
export function normaliseRows(matrix: Float32Array, dimension: number): Float32Array {
  for (let offset = 0; offset < matrix.length; offset += dimension) {
    const norm = Math.sqrt(dot(matrix, offset, matrix, offset, dimension));
    if (!(norm > 0) || !Number.isFinite(norm))
      throw new Error(`Vector at row ${offset / dimension} has no direction (norm ${norm})`);
    for (let x = 0; x < dimension; x++) matrix[offset + x] /= norm;
  }
  return matrix;
}

/** The normalised mean of `rows` rows starting at `firstRow`: how a video's frame vectors become one vector. */
export function meanDirection(matrix: Float32Array, dimension: number, firstRow: number, rows: number): Float32Array {
  const mean = new Float32Array(dimension);
  for (let row = firstRow; row < firstRow + rows; row++) {
    for (let x = 0; x < dimension; x++) mean[x] += matrix[row * dimension + x];
  }
  return normaliseRows(mean, dimension);
}
