import { s3SourceAllowed } from '../../core/media/s3-source-rule';
import {
  classifyS3Source,
  formatS3Uri,
  InvalidS3UriError,
  manifestFormatOf,
  parseS3Uri,
  type S3Location,
} from '../../core/media/s3-uri';
import { sanitizeDisplayName } from '../../core/media/safe-names';
import { isSupportedMediaName } from '../../core/media/supported-media';
import { WorkerError } from '../runtime/failure';
import type { Candidate } from './candidate';
import { s3ManifestFile } from './manifest-file';
import { resolveS3ManifestEntry } from './manifest-location';
import { manifestValues } from './manifest-values';
import { errorNameOf, httpStatusOf, listObjects } from './s3-io';
import { noMediaMessage, type SourceContext } from './source-context';

const BUCKET_NOT_ALLOWED =
  'location not allowed: its bucket is not a permitted source (SOURCE_BUCKET_NAMES, or read through assume_role)';

/**
 * The candidates of an `s3_uri` source. A folder: every object under the prefix, at any depth, whose name has a supported
 * extension (API.md: "every supported media object under it"). A manifest: every location it lists, whatever its name
 * (the bytes decide), once its bucket passes the same rule as the source itself (core/media/s3-source-rule.ts). Both are
 * read with the source credentials and checked where they are.
 */
export async function* s3UriCandidates(context: SourceContext): AsyncGenerator<Candidate> {
  const uri = context.config.sourceUri;
  let location: S3Location;
  try {
    location = parseS3Uri(uri);
  } catch (error) {
    if (error instanceof InvalidS3UriError) throw new WorkerError(noMediaMessage(uri), { cause: error });
    throw error;
  }
  if (!s3SourceAllowed(location.bucket, context.config.s3SourceRule)) throw new WorkerError(noMediaMessage(uri));
  try {
    if (classifyS3Source(uri) === 'folder') yield* folderCandidates(location, context);
    else yield* manifestCandidates(location, context);
  } catch (error) {
    throw sourceError(error, uri);
  }
}

async function* folderCandidates(folder: S3Location, context: SourceContext): AsyncGenerator<Candidate> {
  for await (const object of listObjects(context.sourceS3, folder.bucket, folder.key, context.listPageSize)) {
    if (object.key.endsWith('/') || !isSupportedMediaName(object.key)) continue;
    const location = { bucket: folder.bucket, key: object.key };
    const uri = formatS3Uri(location);
    yield { kind: 's3', name: sanitizeDisplayName(uri), sourceUri: uri, location, size: object.size };
  }
}

async function* manifestCandidates(manifest: S3Location, context: SourceContext): AsyncGenerator<Candidate> {
  const name = formatS3Uri(manifest);
  const file = s3ManifestFile(context.sourceS3, manifest, name);
  for await (const { row, value } of manifestValues(
    file,
    manifestFormatOf(manifest.key)!,
    context.config.manifestLimits,
  )) {
    const rowName = `${name} row ${row}`;
    if (value === undefined) {
      yield { kind: 'skip', name: rowName, reason: 'empty location' };
      continue;
    }
    const resolved = resolveS3ManifestEntry(value.trim(), manifest);
    if (!resolved.ok) {
      yield { kind: 'skip', name: sanitizeDisplayName(`${rowName}: ${value}`), reason: resolved.reason };
      continue;
    }
    const uri = formatS3Uri(resolved.location);
    // Checked before any read: an entry may name our own bucket (another tenant's staging or dataset) or any other.
    if (!s3SourceAllowed(resolved.location.bucket, context.config.s3SourceRule)) {
      yield { kind: 'skip', name: sanitizeDisplayName(uri), reason: BUCKET_NOT_ALLOWED };
      continue;
    }
    yield { kind: 's3', name: sanitizeDisplayName(uri), sourceUri: uri, location: resolved.location };
  }
}

/** Listing or manifest failures that are about the source itself get a message the user can act on. */
function sourceError(error: unknown, uri: string): unknown {
  if (error instanceof WorkerError) return error;
  const name = errorNameOf(error);
  const status = httpStatusOf(error);
  if (name === 'NoSuchBucket' || name === 'NoSuchKey' || name === 'NotFound' || status === 404) {
    return new WorkerError(noMediaMessage(uri), { cause: error });
  }
  if (name === 'AccessDenied' || status === 403) {
    return new WorkerError(`Access denied reading ${uri} (check the bucket policy and assume_role)`, { cause: error });
  }
  return error;
}
