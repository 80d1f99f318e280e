/**
 * Fits the default encoder's head (core/model/default-encoder.ts) on the fit images of bench/fetch-corpus.sh's corpus
 * (files of the same packages that are in neither the tuning nor the held-out half), without labels: they are embedded
 * by the trunk (pooled, L2-normalised), their mean becomes the centre and a PCA whitening of the centred descriptors
 * the projection. Rewrites core/model/default-encoder-centre.ts and core/model/default-encoder-whitening.ts; the
 * model's pinned hash (LOCAL_EMBEDDING_CONFIG.model_sha256) then changes, and the threshold is calibrated again
 * (bench/calibrate-default-encoder.ts).
 *
 *   bash bench/fetch-corpus.sh && npx tsx bench/fit-default-encoder.ts [corpus=.data/near-duplicates]
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setFloat16 } from '@petamoriken/float16';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { LOCAL_EMBEDDING_CONFIG } from '../core/datasets/embedding-config';
import { buildDefaultEncoder } from '../core/model/default-encoder';
import { embedFiles } from './embed-files';
import { readCorpus } from './near-duplicate-scores';

/** Components kept, and the shrinkage added to every eigenvalue (× the largest), chosen on the tuning half (bench/README.md). */
const OUTPUTS = 320;
const SHRINK = 0.001;
const CHANNELS = 448;

const corpus = resolve(process.argv[2] ?? '.data/near-duplicates', 'set');
const files = readCorpus(corpus, 'fit').map((e) => join(corpus, e.file));

const trunk = buildDefaultEncoder({ centre: new Float32Array(CHANNELS) });
const { vectors } = await embedFiles(trunk, files, LOCAL_EMBEDDING_CONFIG, CHANNELS);
const descriptors = Array.from({ length: files.length }, (_, i) => vectors.subarray(i * CHANNELS, (i + 1) * CHANNELS));

const n = descriptors.length;
const centre = new Float64Array(CHANNELS);
for (const d of descriptors) for (let x = 0; x < CHANNELS; x++) centre[x]! += d[x]! / n;
const centred = new Matrix(descriptors.map((d) => Array.from(d, (v, x) => v - centre[x]!)));
const covariance = centred.transpose().mmul(centred).div(n);
const eigen = new EigenvalueDecomposition(covariance, { assumeSymmetric: true });
const order = eigen.realEigenvalues.map((value, index) => ({ value, index })).sort((p, q) => q.value - p.value);
const largest = order[0]!.value;
const projection = new Float32Array(CHANNELS * OUTPUTS);
for (let c = 0; c < OUTPUTS; c++) {
  const { value, index } = order[c]!;
  const scale = (value + SHRINK * largest) ** -0.5;
  // The sign of an eigenvector is arbitrary: make its largest entry positive so a refit gives the same matrix.
  let peak = 0;
  for (let r = 0; r < CHANNELS; r++)
    if (Math.abs(eigen.eigenvectorMatrix.get(r, index)) > Math.abs(peak)) peak = eigen.eigenvectorMatrix.get(r, index);
  for (let r = 0; r < CHANNELS; r++)
    projection[r * OUTPUTS + c] = Math.sign(peak) * eigen.eigenvectorMatrix.get(r, index) * scale;
}

const base64Lines = (bytes: Uint8Array) =>
  (
    Buffer.from(bytes)
      .toString('base64')
      .match(/.{1,100}/g) ?? []
  )
    .map((line) => `  '${line}',`)
    .join('\n');
const source = `${n} images of bench/fetch-corpus.sh's corpus
 * (the originals and distractors of its tuning half; no labels used)`;
writeFileSync(
  'core/model/default-encoder-centre.ts',
  `/**
 * The mean of the default encoder's pooled, L2-normalised descriptors (${CHANNELS} float32, little-endian) over
 * ${source}.
 * Subtracting it spreads unrelated images around cosine 0; it is part of the model, so of its pinned hash.
 * Written by bench/fit-default-encoder.ts.
 */
export const DEFAULT_ENCODER_CENTRE_BASE64 = [
${base64Lines(new Uint8Array(Float32Array.from(centre).buffer))}
].join('');
`,
);
writeFileSync(
  'core/model/default-encoder-whitening.ts',
  `/**
 * PCA whitening of the default encoder's centred descriptors over
 * ${source}:
 * the ${OUTPUTS} leading eigenvectors of their covariance, each divided by the square root of its eigenvalue plus
 * ${SHRINK} × the largest one (so that noise in the weakest directions is not blown up). Row-major
 * [${CHANNELS}, ${OUTPUTS}], IEEE half floats, little-endian.
 * Written by bench/fit-default-encoder.ts.
 */
export const DEFAULT_ENCODER_WHITENING_OUTPUTS = ${OUTPUTS};

export const DEFAULT_ENCODER_WHITENING_BASE64 = [
${base64Lines(toFloat16(projection))}
].join('');
`,
);
console.log(
  `${n} images; eigenvalues ${order[0]!.value.toExponential(2)} … ${order[OUTPUTS - 1]!.value.toExponential(2)} (kept) … ${order[CHANNELS - 1]!.value.toExponential(2)}`,
);

/** float32 → IEEE half floats, little-endian bytes. */
function toFloat16(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  const view = new DataView(out.buffer);
  for (const [i, value] of values.entries()) setFloat16(view, 2 * i, value, true);
  return out;
}
