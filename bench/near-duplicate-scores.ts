import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One image of bench/near-duplicate-corpus.ts's manifest: its ground-truth group, role and transformation. */
export interface Entry {
  readonly file: string;
  readonly group: string;
  readonly role: 'original' | 'copy' | 'distractor' | 'fit';
  readonly transform: string | null;
  readonly split: 'tuning' | 'heldout' | 'fit';
}

/** The manifest entries of one split of the corpus folder `set` (tuning, heldout, or fit: the images fitted on). */
export function readCorpus(set: string, split: string): Entry[] {
  return (JSON.parse(readFileSync(join(set, 'manifest.json'), 'utf8')) as Entry[]).filter((e) => e.split === split);
}

export interface Scores {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

const scores = (precision: number, recall: number): Scores => ({
  precision,
  recall,
  f1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0,
});

/**
 * Pairwise same-cluster scores overall, and per transformation: recall = copies found with their original, precision =
 * share of the predicted pairs involving such a copy that are true pairs.
 */
export function pairwiseScores(
  entries: readonly Entry[],
  labels: readonly string[],
): { overall: Scores; byType: Map<string, Scores>; largest: number } {
  const byCluster = new Map<string, number[]>();
  labels.forEach((label, i) => {
    const list = byCluster.get(label);
    if (list) list.push(i);
    else byCluster.set(label, [i]);
  });
  const predicted = new Map<string, { pairs: number; right: number }>();
  const count = (key: string, right: boolean) => {
    const c = predicted.get(key) ?? { pairs: 0, right: 0 };
    c.pairs++;
    if (right) c.right++;
    predicted.set(key, c);
  };
  let largest = 0;
  for (const members of byCluster.values()) {
    largest = Math.max(largest, members.length);
    for (let a = 0; a < members.length; a++)
      for (let b = a + 1; b < members.length; b++) {
        const [i, j] = [members[a]!, members[b]!];
        const right = entries[i]!.group === entries[j]!.group;
        count('', right);
        for (const type of new Set([entries[i]!.transform, entries[j]!.transform])) if (type) count(type, right);
      }
  }
  const groupSizes = new Map<string, number>();
  for (const e of entries) groupSizes.set(e.group, (groupSizes.get(e.group) ?? 0) + 1);
  const truePairs = [...groupSizes.values()].reduce((sum, n) => sum + (n * (n - 1)) / 2, 0);
  const originalOf = new Map(entries.flatMap((e, i) => (e.role === 'original' ? [[e.group, i] as const] : [])));
  const found = new Map<string, { hit: number; total: number }>();
  entries.forEach((e, i) => {
    if (!e.transform) return;
    const f = found.get(e.transform) ?? { hit: 0, total: 0 };
    f.total++;
    if (labels[i] === labels[originalOf.get(e.group)!]) f.hit++;
    found.set(e.transform, f);
  });
  const all = predicted.get('') ?? { pairs: 0, right: 0 };
  const byType = new Map(
    [...found].map(([type, f]) => {
      const p = predicted.get(type) ?? { pairs: 0, right: 0 };
      return [type, scores(p.pairs ? p.right / p.pairs : 1, f.hit / f.total)] as const;
    }),
  );
  return { overall: scores(all.pairs ? all.right / all.pairs : 1, all.right / truePairs), byType, largest };
}
