/**
 * Builds the near-duplicate corpus from the images bench/fetch-corpus.sh extracted under <out>/raw: picks originals and
 * distractors per package, drops near-identical files, writes transformed copies and <out>/set/manifest.json (ground
 * truth, and a tuning / held-out split by file hash). Deterministic (seeded). Run by fetch-corpus.sh:
 *
 *   npx tsx bench/near-duplicate-corpus.ts <out> [corpus=benchmark]
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, relative } from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { CORPORA } from './corpus-packages';
import { BACKGROUND, hamming, phash } from './phash';

const root = process.argv[2] ?? '.data/near-duplicates';
const raw = join(root, 'raw');
const out = join(root, 'set');
sharp.concurrency(1);

/** Unique images kept per package of the corpus named by the second argument (bench/corpus-packages.ts). */
const corpusName = process.argv[3] ?? 'benchmark';
const quota = CORPORA[corpusName];
if (!quota) throw new Error(`Unknown corpus ${corpusName}; known: ${Object.keys(CORPORA).join(', ')}`);
const ORIGINAL_SHARE = 0.36;
const COPIES_PER_ORIGINAL = 3;

function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}
const random = rng(9);
const shuffle = <T>(xs: T[]): T[] => {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
const between = (a: number, b: number) => a + (b - a) * random();

function walk(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...walk(p));
    else if (entry.isFile() && /\.(png|jpe?g|webp|gif|tiff?|bmp)$/i.test(entry.name)) files.push(p);
  }
  return files.sort();
}

interface Picked {
  path: string;
  pkg: string;
  sha: string;
  hash: [number, number];
  thumb: Uint8Array;
  width: number;
  height: number;
  alpha: boolean;
  lightContent: boolean;
}

async function thumbnail(path: string | Buffer): Promise<Uint8Array> {
  const { data } = await sharp(path)
    .flatten({ background: BACKGROUND })
    .resize(12, 12, { fit: 'fill' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return new Uint8Array(data);
}
const thumbDistance = (a: Uint8Array, b: Uint8Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s / a.length;
};

async function hasTransparency(path: string): Promise<boolean> {
  const image = sharp(path);
  const meta = await image.metadata();
  if (!meta.hasAlpha) return false;
  const stats = await image.stats();
  return stats.channels[stats.channels.length - 1].min < 250;
}

/** Mean grey level of the opaque pixels. */
async function opaqueMean(path: string): Promise<number> {
  const { data } = await sharp(path)
    .ensureAlpha()
    .resize(64, 64, { fit: 'inside' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  let sum = 0;
  let weight = 0;
  for (let i = 0; i < data.length; i += 4) {
    const a = data[i + 3] / 255;
    sum += (a * (data[i] + data[i + 1] + data[i + 2])) / 3;
    weight += a;
  }
  return weight ? sum / weight : 0;
}

/**
 * Files that are one picture by their names: numbered frames or variants in one folder (oremine1, oremine8;
 * TransformedX130Y130, TransformedX-130Y130: digits and signs removed, the names agree) and one screenshot per
 * language (doc/HTML/sv/…/popup.png, doc/HTML/pt_BR/…/popup.png: a language-code folder is ignored).
 */
function nameFamily(pkg: string, path: string): string {
  const folder = dirname(relative(join(raw, pkg), path))
    .split('/')
    .filter((segment) => !/^[a-z]{2,3}(_[A-Z]{2})?(@\w+)?$/.test(segment))
    .join('/');
  return `${pkg}/${folder}/${basename(path, extname(path)).replace(/[\d+-]/g, '')}`;
}

/**
 * More files of the same packages, never part of the corpus's splits: what the default encoder's whitening is fitted
 * on (bench/fit-default-encoder.ts), so that calibrating on the tuning half is not flattered by a fit on its own images.
 */
const FIT_SHARE = 0.5;

const picked: Picked[] = [];
const fitPool: Pick<Picked, 'path' | 'pkg' | 'sha' | 'hash' | 'thumb'>[] = [];
const seenSha = new Set<string>();
const seenFamilies = new Set<string>();
for (const pkg of Object.keys(quota).sort()) {
  let files: string[];
  try {
    files = shuffle(walk(join(raw, pkg)));
  } catch {
    console.warn(`${pkg}: not fetched`);
    continue;
  }
  let kept = 0;
  let fitKept = 0;
  const fitQuota = Math.round(quota[pkg] * FIT_SHARE);
  for (const path of files) {
    if (kept >= quota[pkg] && fitKept >= fitQuota) break;
    const forFit = kept >= quota[pkg];
    try {
      if (statSync(path).size > 40e6) continue;
      const bytes = readFileSync(path);
      const sha = createHash('sha256').update(bytes).digest('hex');
      if (seenSha.has(sha) || seenFamilies.has(nameFamily(pkg, path))) continue;
      if (!forFit) seenSha.add(sha);
      const meta = await sharp(bytes).metadata();
      const width = meta.autoOrient?.width ?? meta.width ?? 0;
      const height = meta.autoOrient?.height ?? meta.height ?? 0;
      // Tiny icons and sprite strips are not what people deduplicate.
      if (
        Math.min(width, height) < 64 ||
        width * height > 60e6 ||
        Math.max(width, height) / Math.min(width, height) > 3
      )
        continue;
      // A uniform image (all black, all transparent) has no content to recognise.
      const flat = await sharp(bytes).flatten({ background: BACKGROUND }).stats();
      if (Math.max(...flat.channels.slice(0, 3).map((c) => c.stdev)) < 8) continue;
      const hash = await phash(bytes);
      const thumb = await thumbnail(path);
      // A mirror image is one of the benchmark's own near-duplicates (flip), so it counts as the same file here too.
      const mirrored = await sharp(bytes).flop().png().toBuffer();
      const [mirrorHash, mirrorThumb] = [await phash(mirrored), await thumbnail(mirrored)];
      // Near-identical files (animation frames, team-colour variants, the same icon at several sizes) would be ground-
      // truth "unrelated" pairs that are really duplicates: keep one of them.
      if (
        [...picked, ...(forFit ? fitPool : [])].some(
          (p) =>
            Math.min(hamming(p.hash, hash), hamming(p.hash, mirrorHash)) <= 12 ||
            Math.min(thumbDistance(p.thumb, thumb), thumbDistance(p.thumb, mirrorThumb)) < 6,
        )
      )
        continue;
      if (forFit) {
        // Kept apart from the corpus's bookkeeping, so the corpus is the same with or without this pool.
        fitPool.push({ path, pkg, sha, hash, thumb });
        fitKept++;
        continue;
      }
      const alpha = await hasTransparency(path);
      seenFamilies.add(nameFamily(pkg, path));
      picked.push({
        path,
        pkg,
        sha,
        hash,
        thumb,
        width,
        height,
        alpha,
        lightContent: alpha && (await opaqueMean(path)) > 110,
      });
      kept++;
    } catch {
      // unreadable or undecodable file: not part of the corpus
    }
  }
  console.log(`${pkg}: ${kept} unique images (+ ${fitKept} to fit on)`);
}

// ---------------------------------------------------------------------------------------------------------------------
// Transformations

type Transform = { type: string; apply: (path: string, p: Picked) => Promise<{ buffer: Buffer; ext: string }> };

const sameFormat = (img: Sharp, p: Picked) =>
  /\.jpe?g$/i.test(p.path) ? { img: img.jpeg({ quality: 90 }), ext: 'jpg' } : { img: img.png(), ext: 'png' };
const finish = async ({ img, ext }: { img: Sharp; ext: string }) => ({ buffer: await img.toBuffer(), ext });

function watermarkSvg(width: number, height: number): Buffer {
  const size = Math.max(10, Math.round(Math.min(width, height) * between(0.07, 0.11)));
  const text = pick(['© Sample Photo', 'DRAFT', 'example.org', '© 2024 ACME', 'CONFIDENTIAL']);
  const x = Math.round(width * between(0.05, 0.3));
  const y = Math.round(height * between(0.55, 0.92));
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><text x="${x}" y="${y}" font-family="DejaVu Sans" font-weight="bold" font-size="${size}" fill="white" fill-opacity="0.7" stroke="black" stroke-opacity="0.6" stroke-width="${Math.max(1, size / 20)}">${text}</text></svg>`,
  );
}

const transforms: Transform[] = [
  {
    type: 'resize',
    // 35–70 % of the size, but not below 48 px on the short side (sprites of 72 px would become unrecognisable specks).
    apply: async (path, p) => {
      const scale = Math.min(0.8, Math.max(between(0.35, 0.7), 48 / Math.min(p.width, p.height)));
      return finish(sameFormat(sharp(path).resize(Math.round(p.width * scale)), p));
    },
  },
  {
    type: 'jpeg_quality',
    apply: async (path) => ({
      buffer: await sharp(path)
        .flatten({ background: '#ffffff' })
        .jpeg({ quality: Math.round(between(20, 50)) })
        .toBuffer(),
      ext: 'jpg',
    }),
  },
  {
    type: 'crop',
    apply: async (path, p) => {
      // 10–20 % of each side removed, at a random place.
      const keepW = Math.round(p.width * between(0.8, 0.9));
      const keepH = Math.round(p.height * between(0.8, 0.9));
      const left = Math.floor(random() * (p.width - keepW + 1));
      const top = Math.floor(random() * (p.height - keepH + 1));
      return finish(sameFormat(sharp(path).rotate().extract({ left, top, width: keepW, height: keepH }), p));
    },
  },
  {
    type: 'brightness',
    apply: async (path, p) =>
      finish(
        sameFormat(sharp(path).modulate({ brightness: random() < 0.5 ? between(0.7, 0.8) : between(1.2, 1.3) }), p),
      ),
  },
  { type: 'flip', apply: async (path, p) => finish(sameFormat(sharp(path).flop(), p)) },
  {
    type: 'rotate',
    apply: async (path, p) => {
      const angle = (random() < 0.5 ? -1 : 1) * between(5, 10);
      return finish(
        sameFormat(sharp(path).rotate(angle, { background: p.alpha ? { r: 0, g: 0, b: 0, alpha: 0 } : '#ffffff' }), p),
      );
    },
  },
  {
    type: 'watermark',
    apply: async (path, p) =>
      finish(sameFormat(sharp(path).composite([{ input: watermarkSvg(p.width, p.height) }]), p)),
  },
  {
    type: 'format',
    apply: async (path, p) => {
      // Another encoding of the same pixels: transparent images keep their alpha in lossy WebP (the case of issue 9).
      if (p.alpha || /\.jpe?g$/i.test(p.path))
        return { buffer: await sharp(path).webp({ quality: 75 }).toBuffer(), ext: 'webp' };
      return { buffer: await sharp(path).jpeg({ quality: 85 }).toBuffer(), ext: 'jpg' };
    },
  },
  {
    type: 'flatten',
    apply: async (path, p) => {
      // Transparent PNG → JPEG flattened onto white (most tools) or black (libvips' default). Black only under light
      // content: a dark silhouette flattened onto black is a black rectangle, a copy of nothing.
      const background = random() < 0.3 && p.lightContent ? '#000000' : '#ffffff';
      return { buffer: await sharp(path).flatten({ background }).jpeg({ quality: 85 }).toBuffer(), ext: 'jpg' };
    },
  },
  {
    type: 'combo_crop_resize_jpeg',
    apply: async (path, p) => {
      const keepW = Math.round(p.width * 0.9);
      const keepH = Math.round(p.height * 0.9);
      const img = sharp(path).extract({
        left: Math.floor((p.width - keepW) / 2),
        top: Math.floor((p.height - keepH) / 2),
        width: keepW,
        height: keepH,
      });
      const buffer = await img
        .resize(Math.max(24, Math.round(keepW * 0.6)))
        .flatten({ background: '#ffffff' })
        .jpeg({ quality: 60 })
        .toBuffer();
      return { buffer, ext: 'jpg' };
    },
  },
  {
    type: 'combo_watermark_brightness_webp',
    apply: async (path, p) => {
      const marked = await sharp(path)
        .composite([{ input: watermarkSvg(p.width, p.height) }])
        .png()
        .toBuffer();
      return {
        buffer: await sharp(marked).modulate({ brightness: 1.15 }).webp({ quality: 70 }).toBuffer(),
        ext: 'webp',
      };
    },
  },
];

interface Entry {
  file: string;
  group: string;
  role: 'original' | 'copy' | 'distractor' | 'fit';
  transform: string | null;
  split: 'tuning' | 'heldout' | 'fit';
  pkg: string;
  alpha: boolean;
}
const entries: Entry[] = [];
mkdirSync(join(out, 'images'), { recursive: true });
shuffle(picked);
const originalCount = Math.round(picked.length * ORIGINAL_SHARE);
for (let index = 0; index < picked.length; index++) {
  const p = picked[index];
  // The split follows the file's hash, so it is independent of the package mix and of the order of picking.
  const split = parseInt(p.sha[0], 16) % 2 === 0 ? 'tuning' : 'heldout';
  const group = p.sha.slice(0, 16);
  const original = index < originalCount;
  const file = `images/${group}${extname(p.path).toLowerCase()}`;
  writeFileSync(join(out, file), readFileSync(p.path));
  entries.push({
    file,
    group,
    role: original ? 'original' : 'distractor',
    transform: null,
    split,
    pkg: p.pkg,
    alpha: p.alpha,
  });
  if (!original) continue;
  const applicable = transforms.filter((t) => t.type !== 'flatten' || p.alpha);
  // Transparent originals always get the flatten case; the rest is drawn without repetition.
  const chosen = p.alpha
    ? [
        transforms.find((t) => t.type === 'flatten')!,
        ...shuffle(applicable.filter((t) => t.type !== 'flatten')).slice(0, COPIES_PER_ORIGINAL - 1),
      ]
    : shuffle([...applicable]).slice(0, COPIES_PER_ORIGINAL);
  for (const t of chosen) {
    try {
      const { buffer, ext } = await t.apply(p.path, p);
      const copy = `images/${group}-${t.type}.${ext}`;
      writeFileSync(join(out, copy), buffer);
      entries.push({ file: copy, group, role: 'copy', transform: t.type, split, pkg: p.pkg, alpha: p.alpha });
    } catch (error) {
      console.warn(`${relative(raw, p.path)} ${t.type}: ${String(error).split('\n')[0]}`);
    }
  }
}
for (const p of fitPool) {
  const file = `images/fit-${p.sha.slice(0, 16)}${extname(p.path).toLowerCase()}`;
  writeFileSync(join(out, file), readFileSync(p.path));
  entries.push({
    file,
    group: p.sha.slice(0, 16),
    role: 'fit',
    transform: null,
    split: 'fit',
    pkg: p.pkg,
    alpha: false,
  });
}
writeFileSync(join(out, 'manifest.json'), JSON.stringify(entries, null, 1));
const count = (f: (e: Entry) => boolean) => entries.filter(f).length;
console.log(`fit: ${fitPool.length} images`);
for (const split of ['tuning', 'heldout']) {
  console.log(
    `${split}: ${count((e) => e.split === split && e.role === 'original')} originals, ${count((e) => e.split === split && e.role === 'copy')} copies, ${count((e) => e.split === split && e.role === 'distractor')} distractors`,
  );
}
const types = new Map<string, number>();
for (const e of entries) if (e.transform) types.set(e.transform, (types.get(e.transform) ?? 0) + 1);
console.log([...types].map(([t, n]) => `${t}=${n}`).join(' '));
