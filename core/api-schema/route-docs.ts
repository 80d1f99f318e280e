/** The body schemas of response-bodies.ts by their name in the OpenAPI document (`#/components/schemas/<name>`). */
export type BodyName =
  | 'Error'
  | 'Dataset'
  | 'DatasetList'
  | 'Operation'
  | 'OperationPage'
  | 'MediaPage'
  | 'ClusterPage'
  | 'ClusterDetail'
  | 'CreatedDataset'
  | 'Health'
  | 'OpenApiDocument';

/** Headers an answer carries (documented in openapi-document.ts). */
export type HeaderName = 'Location' | 'Operation-Location' | 'X-Operation-Id' | 'WWW-Authenticate';

interface ResponseDoc {
  readonly description: string;
  /** JSON body; absent: no body at all (API.md: "empty body"). */
  readonly body?: BodyName;
  readonly headers?: readonly HeaderName[];
}

export type RequestBodyKind = 'add_media' | 'create_dataset';

export interface RouteDoc {
  readonly summary: string;
  readonly description: string;
  readonly tag: 'datasets' | 'media' | 'clusters' | 'operations' | 'service';
  readonly requestBody?: RequestBodyKind;
  /** Takes an `Idempotency-Key` header. */
  readonly idempotent?: true;
  readonly responses: Readonly<Record<number, ResponseDoc>>;
}

const error = (description: string): ResponseDoc => ({ description, body: 'Error' });

/** What every route answers besides its own: an unknown query parameter (or a bad value of a known one). */
const BAD_QUERY = error('Unknown query parameter (named in `detail`), or a malformed `limit`, `cursor` or id filter');
const INTERNAL = error('Unexpected failure; `detail` says nothing more (`Internal server error`)');

/** What every authenticated route answers besides its own. */
const AUTHENTICATED = {
  400: BAD_QUERY,
  401: {
    description: 'Missing or invalid credentials: `Not authenticated`; `WWW-Authenticate` says why (RFC 6750)',
    body: 'Error',
    headers: ['WWW-Authenticate'],
  },
  429: error('Too many requests: throttled (API Gateway), or too many of this user in flight (local service)'),
  500: INTERNAL,
} as const satisfies Record<number, ResponseDoc>;

const DATASET_NOT_FOUND = error(
  '`Dataset not found`: missing, or not readable by the caller (existence is not leaked)',
);

/** What every route that starts an operation answers besides its own. */
const STARTS_OPERATION = {
  ...AUTHENTICATED,
  403: error(
    'No write access (`User does not have write access to dataset {id}`), add media disabled, dataset quota reached, or a cookie-authenticated request failing the CSRF check',
  ),
  409: error(
    "Another operation holds the dataset (`Operation '…' is blocked while {TASK} task is running`), the status does not allow it (`Operation '…' is not allowed while dataset status is {status_new}`), or a request with this Idempotency-Key is still being processed",
  ),
  429: error(
    'Too many operations running on the owner’s datasets (MAX_ACTIVE_OPERATIONS_PER_USER), throttled, or too many requests of this user in flight (local service)',
  ),
  500: error(
    '`Failed to upload media to storage`, `Failed to start media processing pipeline`, `Failed to start reindex pipeline`, or `Internal server error`',
  ),
  507: error('The service could not write its data (local service: DATA_DIR full or read-only)'),
} as const satisfies Record<number, ResponseDoc>;

/** Reindex takes no body: a key reused on it is always the same request. */
const IDEMPOTENCY_MISMATCH = error('This Idempotency-Key was already used with a different request');

const ACCEPTED_HEADERS: readonly HeaderName[] = ['Location', 'Operation-Location', 'X-Operation-Id'];
const PAGE = 'Paged with `limit` (1–1000, default 100) and `cursor` (the `next_cursor` of the previous page).';

/**
 * The OpenAPI side of each route of core/routes.ts, by handler: what it does, what it takes besides its parameters, what
 * it answers. openapi-document.ts refuses a route without one.
 */
export const ROUTE_DOCS: Readonly<Record<string, RouteDoc>> = {
  'list-datasets': {
    summary: 'List the datasets the caller can read',
    description:
      'Without `limit` and `cursor`: a plain array of every dataset the caller can read (API.md). With either: one page, `{items, next_cursor}`.',
    tag: 'datasets',
    responses: { ...AUTHENTICATED, 200: { description: 'The datasets, oldest first', body: 'DatasetList' } },
  },
  'create-dataset': {
    summary: 'Create a dataset (extension)',
    description:
      'From the same media sources as add_media (multipart or urlencoded form) plus `display_name`: it is embedded and clustered in full (`INITIAL_INDEX`). Without a media source, or as JSON, it creates an empty dataset with no embedding config.',
    tag: 'datasets',
    requestBody: 'create_dataset',
    idempotent: true,
    responses: {
      ...STARTS_OPERATION,
      202: {
        description:
          'Created; its initial index started when media were given (then `X-Operation-Id` and `Operation-Location` name the operation)',
        body: 'CreatedDataset',
        headers: ACCEPTED_HEADERS,
      },
      400: error(
        'Bad form field, media source, file or JSON body (the field or file is named), or unknown query parameter',
      ),
      413: error('Request body larger than the API can carry; `detail` names the ways that work'),
      422: IDEMPOTENCY_MISMATCH,
    },
  },
  'get-dataset': {
    summary: 'Get a dataset',
    description:
      'Status (`status`, `status_new`), counts, progress (0..100), embedding config, running and last operation.',
    tag: 'datasets',
    responses: { ...AUTHENTICATED, 200: { description: 'The dataset', body: 'Dataset' }, 404: DATASET_NOT_FOUND },
  },
  'add-media': {
    summary: 'Add media to an indexed dataset',
    description:
      'Exactly one media source: `files[]` (repeatable), `archive` (.zip, .tar, .tar.gz, .tgz) or `s3_uri` (folder or .csv / .parquet / .txt manifest). The work runs asynchronously.',
    tag: 'datasets',
    requestBody: 'add_media',
    idempotent: true,
    responses: {
      ...STARTS_OPERATION,
      202: { description: 'Accepted; empty body', headers: ACCEPTED_HEADERS },
      400: error(
        '`Exactly one media source must be provided: files[], s3_uri, or archive`, `Dataset {id} has no embedding_config; …`, `Invalid S3 URI or no media files found at {uri}`, or a message naming the bad field or file',
      ),
      404: DATASET_NOT_FOUND,
      409: error(
        `${STARTS_OPERATION[409].description}, or (extension) the dataset was indexed with another encoder than the deployment embeds with (\`Dataset {id} was indexed with the encoder …\`)`,
      ),
      413: error('Direct upload larger than the API can carry; `detail` names the ways that work'),
      422: IDEMPOTENCY_MISMATCH,
    },
  },
  reindex: {
    summary: 'Re-cluster a dataset in full',
    description: 'Allowed from `PARTIAL INDEX` (extension: and `ERROR`).',
    tag: 'datasets',
    idempotent: true,
    responses: {
      ...STARTS_OPERATION,
      202: { description: 'Accepted; empty body', headers: ACCEPTED_HEADERS },
      404: DATASET_NOT_FOUND,
    },
  },
  'list-media': {
    summary: 'List the media of a dataset (extension)',
    description: `Only media of committed batches, optionally of one batch (\`batch_id\`) or one cluster (\`cluster_id\`). ${PAGE}`,
    tag: 'media',
    responses: { ...AUTHENTICATED, 200: { description: 'A page of media', body: 'MediaPage' }, 404: DATASET_NOT_FOUND },
  },
  'list-clusters': {
    summary: 'List the clusters of a dataset (extension)',
    description: `The clusters of the committed clustering, partial ones included. ${PAGE}`,
    tag: 'clusters',
    responses: {
      ...AUTHENTICATED,
      200: { description: 'A page of clusters', body: 'ClusterPage' },
      404: DATASET_NOT_FOUND,
    },
  },
  'get-cluster': {
    summary: 'Get a cluster and a page of its members (extension)',
    description: `Members most representative first: the representative, then by outlier score, then by media id. ${PAGE}`,
    tag: 'clusters',
    responses: {
      ...AUTHENTICATED,
      200: { description: 'The cluster and a page of its members', body: 'ClusterDetail' },
      404: error('`Dataset not found`, or `Cluster not found` (not a cluster of the committed clustering)'),
    },
  },
  'list-operations': {
    summary: "List a dataset's operations (extension)",
    description: `Newest first; a running operation is listed from the moment its 202 was answered. ${PAGE}`,
    tag: 'operations',
    responses: {
      ...AUTHENTICATED,
      200: { description: 'A page of operations', body: 'OperationPage' },
      404: DATASET_NOT_FOUND,
    },
  },
  'get-operation': {
    summary: 'Get an operation (extension)',
    description:
      'Type, status, phase, progress (never backwards within an operation), counts added / skipped with reasons, error, timestamps. `Operation-Location` of a 202 points here.',
    tag: 'operations',
    responses: {
      ...AUTHENTICATED,
      200: { description: 'The operation', body: 'Operation' },
      404: error('`Dataset not found`, or `Operation not found`'),
    },
  },
  health: {
    summary: 'Health check (unauthenticated)',
    description: 'Reads nothing, so reveals nothing about datasets or the deployment.',
    tag: 'service',
    responses: { 200: { description: 'Serving', body: 'Health' }, 400: BAD_QUERY },
  },
  openapi: {
    summary: 'This OpenAPI document (unauthenticated)',
    description: 'Generated from the schemas the handlers validate with; the same as docs/openapi.json. Holds no data.',
    tag: 'service',
    responses: { 200: { description: 'The OpenAPI 3.1 document', body: 'OpenApiDocument' }, 400: BAD_QUERY },
  },
};
