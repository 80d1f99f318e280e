import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { type ArchiveSource, archiveEntries } from '../../core/media/archive-extract';
import type { Candidate } from './candidate';
import type { SourceContext } from './source-context';

/** Operating-system bookkeeping that archivers add (macOS resource forks, Finder and Explorer caches): not user files. */
const OS_METADATA = /(^|\/)(__MACOSX\/|\.DS_Store$|Thumbs\.db$|desktop\.ini$)/i;

/**
 * The regular files of an archive, each written to scratch space as it streams out (so at most the entries being checked
 * are on disk at once) and offered for copying into the batch. An unsafe archive throws ArchiveRejectedError.
 */
export async function* archiveCandidates(
  source: ArchiveSource,
  archiveName: string,
  archiveUri: string,
  context: SourceContext,
): AsyncGenerator<Candidate> {
  for await (const entry of archiveEntries(source, { name: archiveName, limits: context.config.archiveLimits })) {
    if (OS_METADATA.test(entry.path)) continue;
    if (entry.kind === 'unreadable') {
      yield { kind: 'skip', name: entry.displayName, reason: entry.reason };
      continue;
    }
    const file = join(context.tempDir, `entry-${entry.index}`);
    await pipeline(entry.stream, createWriteStream(file, { flags: 'wx' }));
    yield { kind: 'file', name: entry.displayName, sourceUri: `${archiveUri}#${entry.path}`, file };
  }
}
