/**
 * The routes of API.md under /api/v1, one Lambda each. `access` decides what the
 * function may touch:
 * - `public`: nothing, and no authorizer in front of it (the health check, the OpenAPI document).
 * - `read`: read the table.
 * - `upload`: read/write the table, put/delete under `staging/`, start the add-media
 *   state machine (add_media, and create, which runs its initial index on it).
 * - `reindex`: read/write the table, start the reindex state machine.
 */
type RouteAccess = 'public' | 'read' | 'upload' | 'reindex';

export interface RouteSpec {
  /** Construct id of the function; part of its logical id, so never rename. */
  readonly id: string;
  /** Folder under lambdas/ holding handler.ts. */
  readonly handler: string;
  readonly method: 'GET' | 'POST';
  /** Path below /api/v1. */
  readonly path: string;
  readonly access: RouteAccess;
  /** The query parameters the route reads; any other one is answered 400 naming it. */
  readonly query: readonly string[];
  /** Lists media items, each with presigned links: may read thumbnails and media (core/operations/media-links.ts). */
  readonly mediaLinks?: true;
}

export const API_BASE_PATH = 'api/v1';

const PAGING = ['cursor', 'limit'] as const;

export const ROUTES: readonly RouteSpec[] = [
  {
    id: 'ListDatasets',
    handler: 'list-datasets',
    method: 'GET',
    path: 'datasets',
    access: 'read',
    query: ['cursor', 'limit'],
  },
  { id: 'CreateDataset', handler: 'create-dataset', method: 'POST', path: 'datasets', access: 'upload', query: [] },
  { id: 'GetDataset', handler: 'get-dataset', method: 'GET', path: 'dataset/{dataset_id}', access: 'read', query: [] },
  {
    id: 'AddMedia',
    handler: 'add-media',
    method: 'POST',
    path: 'dataset/{dataset_id}/add_media',
    access: 'upload',
    query: [],
  },
  {
    id: 'Reindex',
    handler: 'reindex',
    method: 'POST',
    path: 'dataset/{dataset_id}/reindex',
    access: 'reindex',
    query: [],
  },
  {
    id: 'ListMedia',
    handler: 'list-media',
    method: 'GET',
    path: 'dataset/{dataset_id}/media',
    access: 'read',
    query: ['batch_id', 'cluster_id', ...PAGING],
    mediaLinks: true,
  },
  {
    id: 'ListClusters',
    handler: 'list-clusters',
    method: 'GET',
    path: 'dataset/{dataset_id}/clusters',
    access: 'read',
    query: PAGING,
  },
  {
    id: 'GetCluster',
    handler: 'get-cluster',
    method: 'GET',
    path: 'dataset/{dataset_id}/clusters/{cluster_id}',
    access: 'read',
    query: PAGING,
    mediaLinks: true,
  },
  {
    id: 'ListOperations',
    handler: 'list-operations',
    method: 'GET',
    path: 'dataset/{dataset_id}/operations',
    access: 'read',
    query: PAGING,
  },
  {
    id: 'GetOperation',
    handler: 'get-operation',
    method: 'GET',
    path: 'dataset/{dataset_id}/operations/{operation_id}',
    access: 'read',
    query: [],
  },
  { id: 'Health', handler: 'health', method: 'GET', path: 'health', access: 'public', query: [] },
  // The OpenAPI document of these routes: public like health, it describes the API and holds no data.
  { id: 'OpenApiDocument', handler: 'openapi', method: 'GET', path: 'openapi.json', access: 'public', query: [] },
];

/** The query parameters the route served by lambdas/{handler}/ reads. */
export function queryParametersOf(handler: string): readonly string[] {
  const route = ROUTES.find((candidate) => candidate.handler === handler);
  if (!route) throw new Error(`No route is served by lambdas/${handler}`);
  return route.query;
}
