/**
 * Pixel agreement: whether two images show the same pixels once one is aligned onto the other (issue 9). The encoder
 * puts look-alikes (two frames of one sprite, two renders of one level, two star clusters) as close as it puts a
 * crop or a rotated copy; aligning their tiny colour prints tells them apart, since a copy's pixels line up and a
 * look-alike's do not. A print is the image the encoder saw, box-averaged to PRINT_SIDE² RGB (768 bytes).
 *
 * The alignment: a warp of scale 0.6–1.67 per axis (up to 1.35 apart), rotation ±7.5°, shift ±20 %, mirror or not,
 * searched on grey at 8 px (a grid of ~2,800 warps); the best few climb to a finer warp at 16 px; the score is the
 * colour normalised cross-correlation at the best warp (−1…1), the better of aligning either print onto the other.
 * Correlation ignores brightness and contrast changes; colour makes a blue glow differ from a yellow one. Written here
 * rather than with an image-registration library: none on npm works on 16 px prints without a native or WebAssembly
 * OpenCV build, and this is ~200 lines. bench/README.md has the measurements behind each choice.
 */
export const PRINT_SIDE = 16;
export const PRINT_BYTES = PRINT_SIDE * PRINT_SIDE * 3;

/** The print of interleaved RGB `side`×`side` pixels: each of PRINT_SIDE² cells the mean of the pixels it covers. */
export function pixelPrint(rgb: Uint8Array, side: number): Uint8Array {
  const sums = new Float64Array(PRINT_BYTES);
  const counts = new Float64Array(PRINT_SIDE * PRINT_SIDE);
  for (let y = 0; y < side; y++) {
    const row = Math.floor((y * PRINT_SIDE) / side) * PRINT_SIDE;
    for (let x = 0; x < side; x++) {
      const cell = row + Math.floor((x * PRINT_SIDE) / side);
      const p = (y * side + x) * 3;
      sums[cell * 3]! += rgb[p]!;
      sums[cell * 3 + 1]! += rgb[p + 1]!;
      sums[cell * 3 + 2]! += rgb[p + 2]!;
      counts[cell]!++;
    }
  }
  // A source smaller than the print leaves cells empty: they take the nearest pixel.
  const print = new Uint8Array(PRINT_BYTES);
  for (let cell = 0; cell < counts.length; cell++) {
    for (let c = 0; c < 3; c++) {
      if (counts[cell]! > 0) {
        print[cell * 3 + c] = Math.round(sums[cell * 3 + c]! / counts[cell]!);
      } else {
        const x = Math.floor((((cell % PRINT_SIDE) + 0.5) * side) / PRINT_SIDE);
        const y = Math.floor(((Math.floor(cell / PRINT_SIDE) + 0.5) * side) / PRINT_SIDE);
        print[cell * 3 + c] = rgb[(y * side + x) * 3 + c]!;
      }
    }
  }
  return print;
}

interface Warp {
  readonly mirror: boolean;
  readonly angle: number;
  readonly scaleX: number;
  readonly scaleY: number;
  readonly shiftX: number;
  readonly shiftY: number;
}

const SCALES = [0.6, 0.72, 0.86, 1, 1.16, 1.39, 1.67];
const MAX_ANISOTROPY = 0.3;
const ANGLES = [-7.5, 0, 7.5].map((degrees) => (degrees * Math.PI) / 180);
const SHIFTS = [-0.2, -0.1, 0, 0.1, 0.2];
const COARSE_KEPT = 4;
/**
 * At least this share of the first image must land inside the second for a warp to count: low enough that an original
 * aligns onto a crop of 55 % × 55 % of it (so the score does not depend on which of the two comes first), high enough
 * that a corner of one image does not match a corner of another.
 */
const MIN_OVERLAP = 0.3;

const COARSE_WARPS: readonly Warp[] = (() => {
  const warps: Warp[] = [];
  for (const mirror of [false, true])
    for (const angle of ANGLES)
      for (const scaleX of SCALES)
        for (const scaleY of SCALES) {
          if (Math.abs(Math.log(scaleX / scaleY)) > MAX_ANISOTROPY) continue;
          for (const shiftX of SHIFTS)
            for (const shiftY of SHIFTS) warps.push({ mirror, angle, scaleX, scaleY, shiftX, shiftY });
        }
  return warps;
})();

/**
 * Where warp `w` sends the pixels of a `side`² plane: pixel (x, y) lands at (ax + b·v + offsetX, cy + d·v + offsetY),
 * v = y − centre, in the row's first column, and each next column steps by (stepX, stepY).
 */
function warpGeometry(w: Warp, side: number) {
  const centre = (side - 1) / 2;
  const cos = Math.cos(w.angle);
  const sin = Math.sin(w.angle);
  // q = A·(u, v) + offset, with u = ±(x − centre) and v = y − centre.
  const a = w.scaleX * cos;
  const c = w.scaleY * sin;
  const u0 = w.mirror ? centre : -centre;
  return {
    centre,
    ax: a * u0,
    cy: c * u0,
    b: -w.scaleX * sin,
    d: w.scaleY * cos,
    offsetX: centre + w.shiftX * side,
    offsetY: centre + w.shiftY * side,
    stepX: w.mirror ? -a : a,
    stepY: w.mirror ? -c : c,
  };
}

/**
 * Where each coarse warp samples the 8 px plane: it depends on the warp, not on the prints, so it is worked out once,
 * on the first search (coarseSamplesReady). Per sample: the first plane's pixel, the second's pixel at or above-left of
 * where it lands, the offsets of that pixel's right and lower neighbours (0 on the last column / row), and the bilinear
 * fractions, computed as correlation() computes them, so the scores are the same to the bit. Allocated here, filled
 * later: constant arrays keep the search's loop fast, and a process that never compares prints never fills them.
 */
const COARSE_CAPACITY = COARSE_WARPS.length * (PRINT_SIDE / 2) * (PRINT_SIDE / 2);
const COARSE_SAMPLES = {
  start: new Int32Array(COARSE_WARPS.length + 1),
  pixel: new Int32Array(COARSE_CAPACITY),
  at: new Int32Array(COARSE_CAPACITY),
  right: new Int32Array(COARSE_CAPACITY),
  below: new Int32Array(COARSE_CAPACITY),
  fx: new Float64Array(COARSE_CAPACITY),
  fy: new Float64Array(COARSE_CAPACITY),
};
let coarseSamplesReady = false;

function fillCoarseSamples(): void {
  const side = PRINT_SIDE / 2;
  const centre = (side - 1) / 2;
  const last = side - 1;
  const table = COARSE_SAMPLES;
  let end = 0;
  COARSE_WARPS.forEach((w, i) => {
    const { ax, cy, b, d, offsetX, offsetY, stepX, stepY } = warpGeometry(w, side);
    for (let y = 0; y < side; y++) {
      const v = y - centre;
      let qx = ax + b * v + offsetX;
      let qy = cy + d * v + offsetY;
      for (let x = 0; x < side; x++, qx += stepX, qy += stepY) {
        if (qx < 0 || qy < 0 || qx > last || qy > last) continue;
        const x0 = qx | 0;
        const y0 = qy | 0;
        table.pixel[end] = y * side + x;
        table.at[end] = y0 * side + x0;
        table.right[end] = x0 < last ? 1 : 0;
        table.below[end] = y0 < last ? side : 0;
        table.fx[end] = qx - x0;
        table.fy[end] = qy - y0;
        end++;
      }
    }
    table.start[i + 1] = end;
  });
  coarseSamplesReady = true;
}

/**
 * correlation() of two 8 px grey planes at coarse warp `w`, from its precomputed samples: the same sums in the same
 * order, without working out positions ~2,800 times per pair (the whole check 1.6× faster, bench/README.md). Its loop,
 * and fillCoarseSamples' walk, are deliberate twins of correlation()'s inner loop: one path for both (every warp's
 * samples written to a scratch table, then summed) made the climb, which tries a new warp at every step, 1.4× slower.
 * Change them together; the test "scores as the search did before…" catches a twin that drifts.
 */
function coarseCorrelation(p: Float32Array, q: Float32Array, w: number): number {
  const { start, pixel, at, right, below, fx, fy } = COARSE_SAMPLES;
  const n = start[w + 1]! - start[w]!;
  const side = PRINT_SIDE / 2;
  if (n < MIN_OVERLAP * side * side) return -1;
  let sp = 0;
  let sq = 0;
  let spp = 0;
  let sqq = 0;
  let spq = 0;
  for (let i = start[w]!; i < start[w + 1]!; i++) {
    const k = at[i]!;
    const r = right[i]!;
    const l = k + below[i]!;
    const top = q[k]! + (q[k + r]! - q[k]!) * fx[i]!;
    const bottom = q[l]! + (q[l + r]! - q[l]!) * fx[i]!;
    const sample = top + (bottom - top) * fy[i]!;
    const value = p[pixel[i]!]!;
    sp += value;
    sq += sample;
    spp += value * value;
    sqq += sample * sample;
    spq += value * sample;
  }
  const covariance = spq - (sp * sq) / n;
  const varianceFirst = spp - (sp * sp) / n;
  const varianceSecond = sqq - (sq * sq) / n;
  if (varianceFirst < 1e-3 || varianceSecond < 1e-3) return 0;
  return covariance / Math.sqrt(varianceFirst * varianceSecond);
}

/** Grey planes of a print at 16 px and 8 px (2×2 means). */
function greyPlanes(print: Uint8Array): { fine: Float32Array; coarse: Float32Array } {
  const fine = new Float32Array(PRINT_SIDE * PRINT_SIDE);
  for (let i = 0; i < fine.length; i++)
    fine[i] = 0.299 * print[i * 3]! + 0.587 * print[i * 3 + 1]! + 0.114 * print[i * 3 + 2]!;
  const half = PRINT_SIDE / 2;
  const coarse = new Float32Array(half * half);
  for (let y = 0; y < half; y++)
    for (let x = 0; x < half; x++) {
      const at = 2 * y * PRINT_SIDE + 2 * x;
      coarse[y * half + x] = (fine[at]! + fine[at + 1]! + fine[at + PRINT_SIDE]! + fine[at + PRINT_SIDE + 1]!) / 4;
    }
  return { fine, coarse };
}

function colourPlanes(print: Uint8Array): Float32Array[] {
  return [0, 1, 2].map((c) => Float32Array.from({ length: PRINT_SIDE * PRINT_SIDE }, (_, i) => print[i * 3 + c]!));
}

/**
 * Normalised cross-correlation of `first` with `second` warped onto it, over the pixels that land inside `second`,
 * summed over the planes given (one grey plane, or three colour planes): −1 where too few land inside.
 */
function correlation(first: readonly Float32Array[], second: readonly Float32Array[], side: number, w: Warp): number {
  const { centre, ax, cy, b, d, offsetX, offsetY, stepX, stepY } = warpGeometry(w, side);
  const last = side - 1;
  let covariance = 0;
  let varianceFirst = 0;
  let varianceSecond = 0;
  for (let plane = 0; plane < first.length; plane++) {
    const p = first[plane]!;
    const q = second[plane]!;
    let n = 0;
    let sp = 0;
    let sq = 0;
    let spp = 0;
    let sqq = 0;
    let spq = 0;
    for (let y = 0; y < side; y++) {
      const v = y - centre;
      let qx = ax + b * v + offsetX;
      let qy = cy + d * v + offsetY;
      for (let x = 0; x < side; x++, qx += stepX, qy += stepY) {
        if (qx < 0 || qy < 0 || qx > last || qy > last) continue;
        // In bounds, so truncation is floor.
        const x0 = qx | 0;
        const y0 = qy | 0;
        const fx = qx - x0;
        const fy = qy - y0;
        const at = y0 * side + x0;
        const right = x0 < last ? 1 : 0;
        const below = y0 < last ? side : 0;
        const top = q[at]! + (q[at + right]! - q[at]!) * fx;
        const bottom = q[at + below]! + (q[at + below + right]! - q[at + below]!) * fx;
        const sample = top + (bottom - top) * fy;
        const pixel = p[y * side + x]!;
        n++;
        sp += pixel;
        sq += sample;
        spp += pixel * pixel;
        sqq += sample * sample;
        spq += pixel * sample;
      }
    }
    if (n < MIN_OVERLAP * side * side) return -1;
    covariance += spq - (sp * sq) / n;
    varianceFirst += spp - (sp * sp) / n;
    varianceSecond += sqq - (sq * sq) / n;
  }
  // A flat image correlates with nothing: it agrees with no other by its pixels.
  if (varianceFirst < 1e-3 || varianceSecond < 1e-3) return 0;
  return covariance / Math.sqrt(varianceFirst * varianceSecond);
}

/**
 * How well two prints agree once one is aligned onto the other: −1…1 (1 = the same pixels). Each is aligned onto the
 * other and the better alignment counts, since an original does not fit inside its crop the way the crop fits in it:
 * swapping the two moves the score by a few thousandths at most (the second alignment starts from the first's inverse).
 */
export function pixelAgreement(first: Uint8Array, second: Uint8Array): number {
  const p = greyPlanes(first);
  const q = greyPlanes(second);
  const forth = bestWarp(p, q);
  // The other way round starts from the inverse of the best warp found this way (no second coarse search).
  if (!forth) return -1;
  const back = climb(inverse(forth), q.fine, p.fine).warp;
  const firstColour = colourPlanes(first);
  const secondColour = colourPlanes(second);
  return Math.max(
    correlation(firstColour, secondColour, PRINT_SIDE, forth),
    correlation(secondColour, firstColour, PRINT_SIDE, back),
  );
}

/** The warp that best aligns `second` onto `first` by grey correlation: coarse grid at 8 px, then climbing at 16 px. */
function bestWarp(
  first: { fine: Float32Array; coarse: Float32Array },
  second: { fine: Float32Array; coarse: Float32Array },
): Warp | undefined {
  if (!coarseSamplesReady) fillCoarseSamples();
  const starts: { warp: Warp; score: number }[] = [];
  for (let w = 0; w < COARSE_WARPS.length; w++) {
    const warp = COARSE_WARPS[w]!;
    const score = coarseCorrelation(first.coarse, second.coarse, w);
    if (starts.length === COARSE_KEPT && score <= starts[COARSE_KEPT - 1]!.score) continue;
    let at = starts.length;
    while (at > 0 && starts[at - 1]!.score < score) at--;
    starts.splice(at, 0, { warp, score });
    if (starts.length > COARSE_KEPT) starts.pop();
  }
  let best: { warp: Warp; score: number } | undefined;
  for (const start of starts) {
    const climbed = climb(start.warp, first.fine, second.fine);
    if (!best || climbed.score > best.score) best = climbed;
  }
  return best?.warp;
}

/**
 * Approximately the inverse of `w` (exact when its two scales are equal), in the same form: the climb corrects the
 * rest. `w` maps (u, v) to A·F·(u, v) + t with A = diag(scaleX, scaleY)·R(angle) and F the mirror (if any), so its
 * inverse is F·R(−angle)·diag(1/scaleX, 1/scaleY)·(q − t).
 */
function inverse(w: Warp): Warp {
  const cos = Math.cos(w.angle);
  const sin = Math.sin(w.angle);
  const x = w.shiftX / w.scaleX;
  const y = w.shiftY / w.scaleY;
  const shiftX = -(cos * x + sin * y);
  const shiftY = -(-sin * x + cos * y);
  return {
    mirror: w.mirror,
    angle: w.mirror ? w.angle : -w.angle,
    scaleX: 1 / w.scaleX,
    scaleY: 1 / w.scaleY,
    shiftX: w.mirror ? -shiftX : shiftX,
    shiftY,
  };
}

/** First steps of the climb: 3° of rotation, 6 % of scale per axis, 4 % of the side of shift. */
const CLIMB_STEPS = [0.05, 0.06, 0.06, 0.04, 0.04];
const CLIMB_HALVINGS = 3;
const MOVES: readonly ((w: Warp, step: number) => Warp)[] = [
  (w, step) => ({ ...w, angle: w.angle + step }),
  (w, step) => ({ ...w, scaleX: w.scaleX * (1 + step) }),
  (w, step) => ({ ...w, scaleY: w.scaleY * (1 + step) }),
  (w, step) => ({ ...w, shiftX: w.shiftX + step }),
  (w, step) => ({ ...w, shiftY: w.shiftY + step }),
];

/**
 * Hill climbing from `start`: each parameter moved by ± its step while that improves the correlation; when no move
 * does, the steps halve, CLIMB_HALVINGS times.
 */
function climb(start: Warp, first: Float32Array, second: Float32Array): { warp: Warp; score: number } {
  let warp = start;
  let score = correlation([first], [second], PRINT_SIDE, warp);
  const steps = [...CLIMB_STEPS];
  for (let halvings = 0; halvings < CLIMB_HALVINGS; ) {
    let moved = false;
    for (let m = 0; m < MOVES.length; m++)
      for (const sign of [1, -1]) {
        const candidate = MOVES[m]!(warp, sign * steps[m]!);
        const candidateScore = correlation([first], [second], PRINT_SIDE, candidate);
        if (candidateScore > score) {
          score = candidateScore;
          warp = candidate;
          moved = true;
        }
      }
    if (!moved) {
      halvings++;
      for (let m = 0; m < steps.length; m++) steps[m]! /= 2;
    }
  }
  return { warp, score };
}
