import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, isAbsolute, join } from 'node:path';
import { ARCHIVE_MAGIC_BYTES, detectArchiveFormat } from '../../core/media/archive-format';
import { ArchiveRejectedError } from '../../core/media/archive-safety';
import { allowsReal, confinedLocalPath, type LocalPathRule } from '../../core/media/local-path-rule';
import { manifestFormatOf } from '../../core/media/s3-uri';
import { sanitizeDisplayName } from '../../core/media/safe-names';
import { isSupportedMediaName } from '../../core/media/supported-media';
import { invalidLocalSource, localMediaRootsUnset } from '../../core/operations/api-messages';
import { WorkerError } from '../runtime/failure';
import { archiveCandidates } from './archive-source';
import type { Candidate } from './candidate';
import { readLocalHead } from './local-io';
import { localManifestFile } from './manifest-file';
import { resolveLocalManifestEntry } from './manifest-location';
import { manifestValues } from './manifest-values';
import type { SourceContext } from './source-context';

/** One reason for every manifest entry that cannot be read here, so skips never tell what lies outside the roots. */
const NOT_UNDER_ROOTS = 'not a readable file under LOCAL_MEDIA_ROOTS';

/**
 * A `local_path` source (on-premises only, LOCAL_PATHS_ALLOWED=true): an absolute path to a folder (walked recursively,
 * supported extensions only), a manifest (`.csv`, `.parquet`, `.txt`), an archive (told by its bytes) or one media file.
 * The path and every manifest entry must resolve (symbolic links included) under LOCAL_MEDIA_ROOTS, outside the
 * service's own folders (core/media/local-path-rule.ts). Nothing below the path is followed: linked files are reported
 * as skipped and linked folders are not entered, so a link cannot lead the walk outside the folder.
 */
export async function* localPathCandidates(context: SourceContext): AsyncGenerator<Candidate> {
  const { sourceUri: path, localPathsAllowed, localPathRule } = context.config;
  if (!localPathsAllowed)
    throw new WorkerError('Local paths are not allowed in this deployment (LOCAL_PATHS_ALLOWED is not true)');
  if (!isAbsolute(path)) throw new WorkerError(`A local path must be absolute, got ${path}`);
  if (localPathRule.roots.length === 0) throw new WorkerError(localMediaRootsUnset);
  const root = await confinedLocalPath(path, localPathRule);
  if (root === undefined) throw new WorkerError(invalidLocalSource(path));
  const stats = await stat(root);
  if (stats.isDirectory()) {
    yield* folderCandidates(root, localPathRule);
  } else if (manifestFormatOf(root) !== undefined) {
    yield* manifestCandidates(root, context);
  } else if (stats.isFile() && (await isArchive(root))) {
    try {
      yield* archiveCandidates({ path: root }, basename(root), root, context);
    } catch (error) {
      if (error instanceof ArchiveRejectedError) throw new WorkerError(error.message, { cause: error });
      throw error;
    }
  } else {
    yield { kind: 'local', name: sanitizeDisplayName(root), sourceUri: root, path: root };
  }
}

/** Depth first, names sorted, so the same folder always yields the same order (and the same media ids). */
async function* folderCandidates(root: string, rule: LocalPathRule): AsyncGenerator<Candidate> {
  const pending = [root];
  while (pending.length > 0) {
    const folder = pending.pop()!;
    const entries: Dirent[] = (await readdir(folder, { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    const subfolders: string[] = [];
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        // A root may hold the service's own folders (DATA_DIR): they are passed over without a word.
        if (await allowsReal(path, rule)) subfolders.push(path);
        continue;
      }
      if (!isSupportedMediaName(entry.name)) continue;
      const name = sanitizeDisplayName(path);
      if (entry.isSymbolicLink()) yield { kind: 'skip', name, reason: 'symbolic link not followed' };
      else if (!entry.isFile()) yield { kind: 'skip', name, reason: 'not a regular file' };
      else yield { kind: 'local', name, sourceUri: path, path };
    }
    pending.push(...subfolders.reverse());
  }
}

async function* manifestCandidates(manifestPath: string, context: SourceContext): AsyncGenerator<Candidate> {
  const file = localManifestFile(manifestPath);
  for await (const { row, value } of manifestValues(
    file,
    manifestFormatOf(manifestPath)!,
    context.config.manifestLimits,
  )) {
    const rowName = `${manifestPath} row ${row}`;
    if (value === undefined) {
      yield { kind: 'skip', name: rowName, reason: 'empty location' };
      continue;
    }
    const resolved = resolveLocalManifestEntry(value.trim(), manifestPath);
    if (!resolved.ok) {
      yield { kind: 'skip', name: sanitizeDisplayName(`${rowName}: ${value}`), reason: resolved.reason };
      continue;
    }
    const confined = await confinedLocalPath(resolved.location, context.config.localPathRule);
    if (confined === undefined) {
      yield { kind: 'skip', name: sanitizeDisplayName(`${rowName}: ${value}`), reason: NOT_UNDER_ROOTS };
      continue;
    }
    yield { kind: 'local', name: sanitizeDisplayName(confined), sourceUri: confined, path: confined };
  }
}

async function isArchive(path: string): Promise<boolean> {
  const read = await readLocalHead(path, ARCHIVE_MAGIC_BYTES);
  return read.ok && detectArchiveFormat(read.head) !== undefined;
}
