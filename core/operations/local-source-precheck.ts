import { opendir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { allowsReal, confinedLocalPath, type LocalPathRule } from '../media/local-path-rule';
import { isSupportedMediaName } from '../media/supported-media';

/** Directory entries looked at before giving up and letting discovery decide. */
const LOCAL_PRECHECK_MAX_ENTRIES = 10_000;

const MANIFEST_OR_ARCHIVE = /\.(csv|parquet|txt|zip|tar|tar\.gz|tgz)$/i;

/**
 * The on-prem twin of the S3 pre-check: the path must resolve under LOCAL_MEDIA_ROOTS (local-path-rule.ts); a local
 * manifest or archive must be a non-empty readable file; a folder must hold at least one file with a supported media
 * extension somewhere below it. Outside the roots, unreadable or missing paths answer the same no.
 */
export async function localSourceHasMedia(requested: string, rule: LocalPathRule): Promise<boolean> {
  const path = await confinedLocalPath(requested, rule);
  if (path === undefined) return false;
  const info = await stat(path).catch(() => undefined);
  if (!info) return false;
  if (info.isFile()) return info.size > 0 && MANIFEST_OR_ARCHIVE.test(path);
  if (!info.isDirectory()) return false;
  let seen = 0;
  const pending = [path];
  while (pending.length > 0) {
    const directory = await opendir(pending.pop()!).catch(() => undefined);
    if (!directory) continue;
    for await (const entry of directory) {
      seen += 1;
      if (seen > LOCAL_PRECHECK_MAX_ENTRIES) return true;
      if (entry.isFile() && isSupportedMediaName(entry.name)) return true;
      const child = join(directory.path, entry.name);
      if (entry.isDirectory() && (await allowsReal(child, rule))) pending.push(child);
    }
  }
  return false;
}
