import { closest, distance } from 'fastest-levenshtein';

/**
 * The known name a mistyped one most likely meant (`s3uri` → `s3_uri`, `file` → `files[]`), or undefined when none is
 * close: at most a third of the name's length in edits (at least two), case and a trailing `[]` ignored.
 */
export function nearestName(name: string, known: readonly string[]): string | undefined {
  if (known.length === 0) return undefined;
  const bare = (candidate: string) => candidate.toLowerCase().replace(/\[\]$/, '');
  const lower = bare(name);
  const best = closest(lower, known.map(bare));
  const edits = distance(lower, best);
  if (edits > Math.max(2, Math.floor(name.length / 3))) return undefined;
  return known.find((candidate) => bare(candidate) === best);
}
