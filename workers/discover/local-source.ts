import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { basename, isAbsolute, join } from 'node:path';
import { ARCHIVE_MAGIC_BYTES, detectArchiveFormat } from '../../core/media/archive-format';
import { ArchiveRejectedError } from '../../core/media/archive-safety';
import { manifestFormatOf } from '../../core/media/s3-uri';
import { sanitizeDisplayName } from '../../core/media/safe-names';
import { isSupportedMediaName } from '../../core/media/supported-media';
import { WorkerError } from '../runtime/failure';
import { archiveCandidates } from './archive-source';
import type { Candidate } from './candidate';
import { readLocalHead } from './local-io';
import { localManifestFile } from './manifest-file';
import { resolveLocalManifestEntry } from './manifest-location';
import { manifestValues } from './manifest-values';
import { noMediaMessage, type SourceContext } from './source-context';

/**
 * A `local_path` source (on-premises only, LOCAL_PATHS_ALLOWED=true): an absolute path to a folder (walked recursively,
 * supported extensions only), a manifest (`.csv`, `.parquet`, `.txt`), an archive (told by its bytes) or one media file.
 * The path itself may go through symbolic links (the operator chose it); nothing below it is followed: linked files are
 * reported as skipped and linked folders are not entered, so a link cannot lead the walk outside the folder.
 */
export async function* localPathCandidates(context: SourceContext): AsyncGenerator<Candidate> {
  const { sourceUri: path, localPathsAllowed } = context.config;
  if (!localPathsAllowed)
    throw new WorkerError('Local paths are not allowed in this deployment (LOCAL_PATHS_ALLOWED is not true)');
  if (!isAbsolute(path)) throw new WorkerError(`A local path must be absolute, got ${path}`);
  let root: string;
  try {
    root = await realpath(path);
  } catch {
    throw new WorkerError(noMediaMessage(path));
  }
  const stats = await stat(root);
  if (stats.isDirectory()) {
    yield* folderCandidates(root);
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
async function* folderCandidates(root: string): AsyncGenerator<Candidate> {
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
        subfolders.push(path);
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
    yield {
      kind: 'local',
      name: sanitizeDisplayName(resolved.location),
      sourceUri: resolved.location,
      path: resolved.location,
    };
  }
}

async function isArchive(path: string): Promise<boolean> {
  const read = await readLocalHead(path, ARCHIVE_MAGIC_BYTES);
  return read.ok && detectArchiveFormat(read.head) !== undefined;
}
