import { dirname, isAbsolute, resolve } from 'node:path';
import { InvalidS3UriError, parseS3Uri, type S3Location } from '../../core/media/s3-uri';

export type Resolved<T> = { readonly ok: true; readonly location: T } | { readonly ok: false; readonly reason: string };

const URL_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * Where an S3 manifest's entry points: an `s3://` URI as is (any bucket the source credentials can read), a key starting
 * with `/` from the manifest's bucket root, anything else relative to the manifest's folder (`..` allowed as long as it
 * stays inside the bucket).
 */
export function resolveS3ManifestEntry(entry: string, manifest: S3Location): Resolved<S3Location> {
  if (entry.startsWith('s3://')) return parsed(entry);
  if (URL_SCHEME.test(entry))
    return { ok: false, reason: 'unsupported location scheme (use s3:// URIs or keys relative to the manifest)' };
  const folder = manifest.key.slice(0, manifest.key.lastIndexOf('/') + 1);
  const key = resolveDotSegments(entry.startsWith('/') ? entry.slice(1) : `${folder}${entry}`);
  if (key === undefined) return { ok: false, reason: 'invalid location: it climbs above the bucket root' };
  return parsed(`s3://${manifest.bucket}/${key}`);
}

function parsed(uri: string): Resolved<S3Location> {
  try {
    return { ok: true, location: parseS3Uri(uri, { requireKey: true }) };
  } catch (error) {
    if (error instanceof InvalidS3UriError) return { ok: false, reason: `invalid location: ${error.reason}` };
    throw error;
  }
}

/** Applies `.` and `..` segments; other segments stay as written (S3 keys may hold `//`). Undefined above the root. */
function resolveDotSegments(key: string): string | undefined {
  const segments = key.split('/');
  if (!segments.includes('.') && !segments.includes('..')) return key;
  const kept: string[] = [];
  for (const [index, segment] of segments.entries()) {
    const last = index === segments.length - 1;
    if (segment === '.') {
      if (last) kept.push('');
    } else if (segment === '..') {
      if (kept.pop() === undefined) return undefined;
      if (last) kept.push('');
    } else {
      kept.push(segment);
    }
  }
  return kept.join('/');
}

/** Where a local manifest's entry points: an absolute path as is, anything else relative to the manifest's folder. */
export function resolveLocalManifestEntry(entry: string, manifestPath: string): Resolved<string> {
  if (URL_SCHEME.test(entry)) return { ok: false, reason: 'a local manifest can only list file paths' };
  return { ok: true, location: isAbsolute(entry) ? resolve(entry) : resolve(dirname(manifestPath), entry) };
}
