import * as z from 'zod/mini';
import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT } from '../operations/paging';
import { API_BASE_PATH, ROUTES, type RouteSpec } from '../routes';
import { CREATE_DATASET_JSON_BODY, FORM_TEXT_FIELDS, MEDIA_SOURCE_FIELDS, TEXT_FIELD_SCHEMAS } from './form-fields';
import { CLUSTER_ID, RESOURCE_ID } from './identifiers';
import * as bodies from './response-bodies';
import { type BodyName, type HeaderName, type RequestBodyKind, ROUTE_DOCS, type RouteDoc } from './route-docs';

/**
 * The OpenAPI 3.1 document of the API, generated (never kept by hand) from what the handlers run on: the routes and
 * query parameters of core/routes.ts, the form-field and JSON-body schemas the requests are validated with, the id
 * shapes the handlers test, and the response-body schemas the response builders are typed by. zod's own
 * `toJSONSchema` turns the schemas into JSON Schema 2020-12, which OpenAPI 3.1 uses as is.
 *
 * Only the `openapi` Lambda and `npm run openapi` import this module (test/synth/bundles.test.ts checks it).
 */
type JsonSchema = Record<string, unknown>;

const SCHEMA_REF = '#/components/schemas/';

/** Response bodies by component name; `Media`, `Cluster` are the items of their pages, named so that they are shared. */
const COMPONENT_BODIES: Readonly<Record<BodyName | 'Media' | 'Cluster', z.ZodMiniType>> = {
  Error: bodies.ErrorBody,
  Dataset: bodies.DatasetBody,
  DatasetList: bodies.DatasetListBody,
  Operation: bodies.OperationBody,
  OperationPage: bodies.OperationPageBody,
  Media: bodies.MediaBody,
  MediaPage: bodies.MediaPageBody,
  Cluster: bodies.ClusterBody,
  ClusterPage: bodies.ClusterPageBody,
  ClusterDetail: bodies.ClusterDetailBody,
  CreatedDataset: bodies.CreatedDatasetBody,
  Health: bodies.HealthBody,
  OpenApiDocument: bodies.OpenApiDocumentBody,
};

const withoutDialect = ({ $schema: _dialect, $id: _id, ...schema }: JsonSchema): JsonSchema => schema;

function componentSchemas(): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(COMPONENT_BODIES)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { uri: (id) => `${SCHEMA_REF}${id}` });
  return Object.fromEntries(Object.entries(schemas).map(([id, schema]) => [id, withoutDialect(schema as JsonSchema)]));
}

/** A request schema as the client sends it (`io: input`: the strings of a form, before the handler's transforms). */
const inputSchema = (schema: z.ZodMiniType): JsonSchema =>
  withoutDialect(z.toJSONSchema(schema, { io: 'input' }) as JsonSchema);

const PARAMETERS: Readonly<Record<string, { in: 'path' | 'query'; description: string; schema: z.ZodMiniType }>> = {
  dataset_id: { in: 'path', description: 'The dataset', schema: z.string().check(z.regex(RESOURCE_ID)) },
  operation_id: { in: 'path', description: 'The operation', schema: z.string().check(z.regex(RESOURCE_ID)) },
  cluster_id: {
    in: 'path',
    description: 'A cluster of the committed clustering',
    schema: z.string().check(z.regex(CLUSTER_ID)),
  },
  cursor: {
    in: 'query',
    description: 'The `next_cursor` of the previous page (opaque)',
    schema: z.string().check(z.minLength(1)),
  },
  limit: {
    in: 'query',
    description: `Items per page (default ${DEFAULT_PAGE_LIMIT})`,
    schema: z._default(z.int().check(z.gte(1), z.lte(MAX_PAGE_LIMIT)), DEFAULT_PAGE_LIMIT),
  },
  batch_id: {
    in: 'query',
    description: 'Only the media of this batch (its operation id)',
    schema: z.string().check(z.regex(RESOURCE_ID)),
  },
  'cluster_id (query)': {
    in: 'query',
    description: 'Only the media shown in this cluster of the committed clustering',
    schema: z.string().check(z.regex(CLUSTER_ID)),
  },
};

const parameterKey = (name: string, location: 'path' | 'query') =>
  location === 'query' && PARAMETERS[name]?.in === 'path' ? `${name} (query)` : name;
const componentKey = (key: string) => key.replace(/ \((query)\)$/, '_$1');

function componentParameters(): Record<string, JsonSchema> {
  return Object.fromEntries(
    Object.entries(PARAMETERS).map(([key, parameter]) => [
      componentKey(key),
      {
        name: key.replace(/ \(query\)$/, ''),
        in: parameter.in,
        required: parameter.in === 'path',
        description: parameter.description,
        schema: inputSchema(parameter.schema),
      },
    ]),
  );
}

const HEADERS: Readonly<Record<HeaderName, { description: string; required?: true; schema: JsonSchema }>> = {
  Location: { description: 'The dataset: `/api/v1/dataset/{id}` (API.md)', required: true, schema: { type: 'string' } },
  'Operation-Location': {
    description: 'The operation started: `/api/v1/dataset/{id}/operations/{operation_id}`',
    schema: { type: 'string' },
  },
  'X-Operation-Id': { description: 'The id of the operation started', schema: { type: 'string' } },
  'WWW-Authenticate': {
    description: '`Bearer`, or `Bearer error="invalid_request" | "invalid_token", error_description="…"` (RFC 6750)',
    schema: { type: 'string' },
  },
};

/** The media form of add_media / create-dataset: a media source and the text fields that form takes. */
function mediaForm(kind: RequestBodyKind, withFiles: boolean): JsonSchema {
  const text = Object.fromEntries(
    FORM_TEXT_FIELDS[kind].map((name) => {
      const schema = TEXT_FIELD_SCHEMAS[name];
      return [name, kind === 'create_dataset' && name === 'display_name' ? schema : z.optional(schema)];
    }),
  );
  const files = withFiles
    ? {
        [MEDIA_SOURCE_FIELDS.files]: z.optional(z.array(z.file())),
        [MEDIA_SOURCE_FIELDS.archive]: z.optional(z.file()),
      }
    : {};
  const s3Uri = z.optional(
    z.string().check(z.meta({ description: 's3://bucket/prefix/ (a folder) or a .csv, .parquet or .txt manifest' })),
  );
  return inputSchema(z.strictObject({ ...files, [MEDIA_SOURCE_FIELDS.s3Uri]: s3Uri, ...text }));
}

function requestBody(kind: RequestBodyKind): JsonSchema {
  const content: Record<string, { schema: JsonSchema }> = {
    'multipart/form-data': { schema: mediaForm(kind, true) },
    'application/x-www-form-urlencoded': { schema: mediaForm(kind, false) },
  };
  if (kind === 'create_dataset') content['application/json'] = { schema: inputSchema(CREATE_DATASET_JSON_BODY) };
  return {
    required: kind === 'add_media',
    description:
      kind === 'add_media'
        ? 'Exactly one media source: `files[]` (repeatable), `archive` or `s3_uri`; urlencoded for `s3_uri` only'
        : 'The add_media form plus `display_name` (at most one media source); or JSON for an empty dataset',
    content,
  };
}

const IDEMPOTENCY_KEY = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description: 'A repeated request with the same key answers like the first and starts nothing new (24 h)',
  schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7E]+$' },
};

function operation(route: RouteSpec, doc: RouteDoc): JsonSchema {
  const pathParameters = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);
  const parameters = [
    ...pathParameters.map((name) => ({ $ref: `#/components/parameters/${componentKey(parameterKey(name, 'path'))}` })),
    ...route.query.map((name) => {
      const key = parameterKey(name, 'query');
      if (!PARAMETERS[key]) throw new Error(`Query parameter '${name}' of ${route.id} has no OpenAPI description`);
      return { $ref: `#/components/parameters/${componentKey(key)}` };
    }),
    ...(doc.idempotent ? [IDEMPOTENCY_KEY] : []),
  ];
  const responses = Object.fromEntries(
    Object.entries(doc.responses).map(([status, response]) => [
      status,
      {
        description: response.description,
        ...(response.headers
          ? {
              headers: Object.fromEntries(
                response.headers.map((name) => [name, { $ref: `#/components/headers/${name}` }]),
              ),
            }
          : {}),
        ...(response.body
          ? { content: { 'application/json': { schema: { $ref: `${SCHEMA_REF}${response.body}` } } } }
          : {}),
      },
    ]),
  );
  return {
    operationId: route.id,
    summary: doc.summary,
    description: doc.description,
    tags: [doc.tag],
    ...(route.access === 'public' ? { security: [] } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(doc.requestBody ? { requestBody: requestBody(doc.requestBody) } : {}),
    responses,
  };
}

function paths(): Record<string, Record<string, JsonSchema>> {
  const result: Record<string, Record<string, JsonSchema>> = {};
  for (const route of ROUTES) {
    const doc = ROUTE_DOCS[route.handler];
    if (!doc) throw new Error(`Route ${route.id} (lambdas/${route.handler}) has no entry in ROUTE_DOCS`);
    (result[`/${API_BASE_PATH}/${route.path}`] ??= {})[route.method.toLowerCase()] = operation(route, doc);
  }
  return result;
}

/** The whole document, typed by the schema of the body the `openapi` route answers with. */
export function openApiDocument(): bodies.OpenApiDocument {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Add media API',
      version: '1',
      summary: 'Add images and videos to an indexed visual dataset and re-cluster it',
      description:
        'The HTTP contract of docs/API.md. Errors are always `{"detail": "<message>"}`. The local service also answers a wrong method on a known path with `405` and `Allow`; API Gateway answers it like an unknown path, `404 {"detail": "Not Found"}`.',
    },
    servers: [
      { url: 'http://127.0.0.1:2080', description: 'The local service (`npm start`, PORT)' },
      {
        url: 'https://{restApiId}.execute-api.{region}.amazonaws.com/prod',
        description: 'A deployment (stack output ApiUrl)',
        variables: {
          restApiId: { default: 'restApiId', description: 'The REST API id of the stack' },
          region: { default: 'us-east-1', description: 'The region of the stack' },
        },
      },
    ],
    security: [{ bearerAuth: [] }, { sessionCookie: [] }],
    tags: [
      { name: 'datasets', description: 'Datasets and the operations that change them' },
      { name: 'media', description: 'The media of a dataset' },
      { name: 'clusters', description: 'Near-duplicate clusters' },
      { name: 'operations', description: 'Running and finished operations' },
      { name: 'service', description: 'Unauthenticated: health and this document' },
    ],
    paths: paths(),
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        sessionCookie: {
          type: 'apiKey',
          in: 'cookie',
          name: 'session',
          description:
            'The same JWT as a cookie (name configurable: AUTH_COOKIE_NAME); mutating requests pass the CSRF check',
        },
      },
      parameters: componentParameters(),
      headers: HEADERS,
      schemas: componentSchemas(),
    },
  };
}

/** The committed docs/openapi.json is exactly this text. */
export const openApiText = (): string => `${JSON.stringify(openApiDocument(), null, 2)}\n`;
