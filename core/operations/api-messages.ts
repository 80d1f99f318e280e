/**
 * Every `detail` string the API answers with. The ones quoted in /work/shared/API.md (and the source document it follows)
 * are reproduced to the letter: clients match on them. The rest are ours and name the field, file or header at fault.
 */
import type { OperationName } from '../datasets/dataset-status';
import { LOCATION_COLUMNS } from '../media/manifest-columns';
import { sanitizeDisplayName } from '../media/safe-names';
import { nearestName } from './nearest-name';

// --- strings of the contract (API.md) ---
export const NOT_AUTHENTICATED = 'Not authenticated';
export const DATASET_NOT_FOUND = 'Dataset not found';
export const EXACTLY_ONE_SOURCE = 'Exactly one media source must be provided: files[], s3_uri, or archive';
export const ADD_MEDIA_DISABLED = 'Add media feature is not enabled';
export const STAGING_FAILED = 'Failed to upload media to storage';
export const ADD_MEDIA_START_FAILED = 'Failed to start media processing pipeline';
export const REINDEX_START_FAILED = 'Failed to start reindex pipeline';

export const noEmbeddingConfig = (datasetId: string) =>
  `Dataset ${datasetId} has no embedding_config; index it at least once before adding media`;
export const encoderChanged = (datasetId: string, indexedWith: string, deploymentEncoder: string) =>
  `Dataset ${datasetId} was indexed with the encoder ${indexedWith}; this deployment embeds with ${deploymentEncoder}, whose vectors do not compare with its own. Add the media to a new dataset, or deploy the dataset's encoder`;
export const invalidS3Source = (uri: string) => `Invalid S3 URI or no media files found at ${uri}`;
export const noWriteAccess = (datasetId: string) => `User does not have write access to dataset ${datasetId}`;
export const operationBlocked = (operation: OperationName, taskType: string) =>
  `Operation '${operation}' is blocked while ${taskType} task is running`;
export const operationNotAllowed = (operation: OperationName, statusNew: string) =>
  `Operation '${operation}' is not allowed while dataset status is ${statusNew}`;

// --- ours (extensions) ---
/** Names that come from the request are echoed sanitized (no control characters, bounded length). */
const quoted = (name: string) => `'${sanitizeDisplayName(name).slice(0, 120)}'`;

export const bodyTooLarge = (limitBytes: number) =>
  `Request body too large for direct upload (limit ${limitBytes} bytes); upload the media to S3 and pass s3_uri instead`;
export const INTERNAL_ERROR = 'Internal server error';

export const notMultipart = (contentType: string | undefined) =>
  `Content-Type must be multipart/form-data with a boundary, or application/x-www-form-urlencoded for text fields only (got ${contentType ? `'${contentType}'` : 'none'})`;
export const createBodyType = (contentType: string | undefined) =>
  `Content-Type must be multipart/form-data or application/json (got ${contentType ? `'${contentType}'` : 'none'})`;
export const malformedMultipart = (reason: string) => `Malformed multipart body: ${reason}`;
export const malformedJson = 'Malformed JSON body';
export const tooManyParts = (limit: number) => `Too many form parts (at most ${limit})`;
export const tooManyFiles = (limit: number) => `Too many files in files[] (at most ${limit})`;
export const tooManyFields = (limit: number) => `Too many form fields (at most ${limit})`;
export const fieldTooLong = (field: string, limit: number) => `Field ${quoted(field)} is longer than ${limit} bytes`;
export const fieldNameTooLong = (limit: number) => `A form field name is longer than ${limit} bytes`;
/** Names the nearest known field when the unknown one looks like a typo of it, else lists the known ones. */
export const unknownField = (field: string, known: readonly string[]) => {
  const nearest = nearestName(field, known);
  return nearest
    ? `Unknown field ${quoted(field)}; did you mean '${nearest}'?`
    : `Unknown field ${quoted(field)}; known fields: ${known.join(', ')}`;
};
export const unknownJsonField = (field: string) => {
  const nearest = nearestName(field, ['display_name', 'similarity_threshold']);
  const typo = nearest ? ` (did you mean '${nearest}'?)` : '';
  return `Unknown field ${quoted(field)}${typo}: a JSON body creates an empty dataset and takes only display_name and similarity_threshold; send media as multipart/form-data`;
};
export const repeatedField = (field: string) => `Field ${quoted(field)} must be given at most once`;
export const fieldMustBeFile = (field: string) => `Field '${field}' must be a file upload`;
export const fieldMustBeText = (field: string) => `Field '${field}' must be a plain form field, not a file`;
export const invalidBoolean = (field: string) => `Field '${field}' must be true or false (also accepted: 1 or 0)`;
export const invalidCount = (field: string) =>
  `Field '${field}' must be a non-negative base-10 integer of at most 15 digits`;
export const invalidRoleArn = (field: string) =>
  `Field '${field}' must be an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)`;
export const assumeRoleNotAllowed = (roleArn: string) =>
  `Field 'assume_role': role ${roleArn} is not allowed by this deployment (ALLOWED_ASSUME_ROLE_ARNS)`;
export const assumeRoleNeedsS3Source = "Field 'assume_role' applies only to an s3_uri source";
export const invalidSimilarityThreshold =
  "Field 'similarity_threshold' must be a number above 0 and at most 1 (cosine similarity)";
export const displayNameRequired = "Field 'display_name' is required (1 to 200 characters)";
export const emptyFile = (name: string) => `File ${quoted(name)} in files[] is empty`;
export const unsupportedFile = (name: string, reason: string) =>
  `File ${quoted(name)} in files[] is not supported media: ${reason}`;
export const emptyArchive = (name: string) => `Archive ${quoted(name)} is empty`;
export const unsupportedArchiveName = (name: string) =>
  `Archive ${quoted(name)} must be a .zip, .tar, .tar.gz or .tgz file`;
export const unsafeArchive = (reason: string) => `Field 'archive': ${reason}`;
export const archiveWithoutFiles = (name: string) => `Archive ${quoted(name)} contains no files`;
export const localPathsNotAllowed =
  "Field 'path': local paths are not enabled on this deployment (LOCAL_PATHS_ALLOWED)";
export const localMediaRootsUnset =
  "Field 'path': no local media folders are configured; set LOCAL_MEDIA_ROOTS to the comma-separated absolute folders media may be read from, then restart";
export const localPathNotAbsolute = (path: string) => `Field 'path' must be an absolute path (got ${quoted(path)})`;
export const invalidLocalSource = (path: string) => `Invalid path or no media files found at ${path}`;
export const manifestWithoutLocationColumn = (name: string) =>
  `Manifest ${quoted(name)} has no location column: a .csv header or .parquet column must be named one of ${LOCATION_COLUMNS.join(', ')} (case-insensitive); or list one location per line in a .txt manifest`;

export const datasetQuotaReached = (limit: number) =>
  `Dataset quota reached: a user may own at most ${limit} datasets (MAX_DATASETS_PER_USER)`;
export const operationQuotaReached = (limit: number) =>
  `Too many operations running: at most ${limit} at once on one user's datasets (MAX_ACTIVE_OPERATIONS_PER_USER); retry when one has finished`;

export const invalidIdempotencyKey = 'Header Idempotency-Key must be 1 to 255 visible ASCII characters';
export const idempotencyInProgress =
  'A request with this Idempotency-Key is still being processed; retry once it has finished';
export const idempotencyMismatch =
  'This Idempotency-Key was already used with a different request; use a new key for a new request';

export const invalidLimit = (max: number) => `Query parameter 'limit' must be an integer between 1 and ${max}`;
export const invalidCursor = "Query parameter 'cursor' is not a cursor of this listing";
export const unknownQueryParameter = (names: readonly string[], known: readonly string[]) =>
  `Unknown query parameter${names.length > 1 ? 's' : ''} ${names.map(quoted).join(', ')}; ${
    known.length ? `this route takes ${known.map((name) => `'${name}'`).join(', ')}` : 'this route takes none'
  }`;
export const invalidClusterId = "Query parameter 'cluster_id' is not a valid cluster id";
export const CLUSTER_NOT_FOUND = 'Cluster not found';
export const OPERATION_NOT_FOUND = 'Operation not found';
export const invalidBatchId = "Query parameter 'batch_id' is not a valid batch id";
