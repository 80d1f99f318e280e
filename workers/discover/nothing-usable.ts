import { invalidLocalSource } from '../../core/operations/api-messages';
import type { SkippedMedia } from '../runtime/batch-records';
import type { DiscoverConfig } from './config';
import { noMediaMessage } from './source-context';

/** Skipped files named in the operation's error; the rest are counted (all of them are in the batch's discovery.json). */
const NAMED_IN_ERROR = 3;

/**
 * The operation's error when a source yields nothing usable: what was asked for, in the words of its kind (the API's S3
 * message only for an S3 source), then the files and why each was refused (the decoder's reason, the path rule…).
 */
export function nothingUsableMessage(config: DiscoverConfig, skipped: readonly SkippedMedia[], skippedCount: number) {
  const base = baseMessage(config);
  if (skipped.length === 0) return base;
  const named = skipped.slice(0, NAMED_IN_ERROR).map((item) => `${item.name}: ${item.reason}`);
  const more = skippedCount > named.length ? ` (and ${skippedCount - named.length} more skipped)` : '';
  return `${base}; skipped ${named.join('; ')}${more}`;
}

function baseMessage(config: DiscoverConfig): string {
  switch (config.sourceKind) {
    case 's3_uri':
      return noMediaMessage(config.sourceUri);
    case 'local_path':
      return invalidLocalSource(config.sourceUri);
    case 'staged_files':
      return 'No usable media among the uploaded files';
    case 'staged_archive':
      return 'No usable media in the uploaded archive';
  }
}
