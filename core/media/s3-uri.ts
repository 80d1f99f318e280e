export interface S3Location {
  readonly bucket: string;
  readonly key: string;
}

export type S3SourceKind = 'folder' | 'manifest';
export type ManifestFormat = 'csv' | 'parquet' | 'txt';

export class InvalidS3UriError extends Error {
  constructor(
    readonly uri: string,
    readonly reason: string,
  ) {
    super(`Invalid S3 URI ${JSON.stringify(uri)}: ${reason}`);
    this.name = 'InvalidS3UriError';
  }
}

const MAX_KEY_BYTES = 1024;
const BUCKET_CHARS = /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/;
const IP_ADDRESS = /^\d{1,3}(\.\d{1,3}){3}$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point (they are refused).
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/**
 * Parses `s3://bucket/key`. The bucket must follow S3's naming rules (3-63 characters, lower-case letters, digits, dots
 * and hyphens, starting and ending with a letter or digit, no `..`, `.-` or `-.`, not an IP address). The key is taken
 * literally (S3 keys are not percent-encoded in s3:// URIs); it may be empty (the whole bucket) unless `requireKey`.
 */
export function parseS3Uri(uri: string, options: { requireKey?: boolean } = {}): S3Location {
  if (typeof uri !== 'string' || !uri.startsWith('s3://')) throw new InvalidS3UriError(uri, 'it must start with s3://');
  const rest = uri.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const key = slash === -1 ? '' : rest.slice(slash + 1);
  const bucketProblem = bucketNameProblem(bucket);
  if (bucketProblem) throw new InvalidS3UriError(uri, bucketProblem);
  if (CONTROL_CHARS.test(key)) throw new InvalidS3UriError(uri, 'the key contains control characters');
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES)
    throw new InvalidS3UriError(uri, `the key is longer than ${MAX_KEY_BYTES} bytes`);
  if (options.requireKey && (key === '' || key.endsWith('/')))
    throw new InvalidS3UriError(uri, 'it must name an object, not a folder');
  return { bucket, key };
}

/** A reason why `bucket` is not a valid S3 bucket name, or undefined when it is one. */
function bucketNameProblem(bucket: string): string | undefined {
  if (bucket.length < 3 || bucket.length > 63) return 'the bucket name must be 3 to 63 characters long';
  if (!BUCKET_CHARS.test(bucket)) {
    return 'the bucket name may contain only lower-case letters, digits, dots and hyphens, and must start and end with a letter or digit';
  }
  if (bucket.includes('..') || bucket.includes('.-') || bucket.includes('-.'))
    return 'the bucket name has adjacent dots or hyphens';
  if (IP_ADDRESS.test(bucket)) return 'the bucket name must not be an IP address';
  return undefined;
}

/** `csv`, `parquet` or `txt` when the key names a manifest (by its extension, case-insensitive), else undefined. */
export function manifestFormatOf(key: string): ManifestFormat | undefined {
  const match = /\.(csv|parquet|txt)$/i.exec(key);
  return match ? (match[1]!.toLowerCase() as ManifestFormat) : undefined;
}

/**
 * A manifest when the URI names a `.csv`, `.parquet` or `.txt` object; otherwise a folder: every object whose key starts
 * with the URI's key (S3 prefix semantics: `s3://b/photos` also matches `photos-2024/...`; end it with `/` to mean one folder).
 * Throws InvalidS3UriError on a malformed URI.
 */
export function classifyS3Source(uri: string): S3SourceKind {
  const { key } = parseS3Uri(uri);
  return manifestFormatOf(key) === undefined ? 'folder' : 'manifest';
}

export function formatS3Uri(location: S3Location): string {
  return `s3://${location.bucket}/${location.key}`;
}
