/**
 * The routes of API.md under /api/v1, one Lambda each. `access` decides what the
 * function may touch:
 * - `read`: read the table.
 * - `upload`: read/write the table, put/delete under `staging/`, start the add-media
 *   state machine (add_media, and create, which runs its initial index on it).
 * - `reindex`: read/write the table, start the reindex state machine.
 */
type RouteAccess = 'read' | 'upload' | 'reindex';

export interface RouteSpec {
  /** Construct id of the function; part of its logical id, so never rename. */
  readonly id: string;
  /** Folder under lambdas/ holding handler.ts. */
  readonly handler: string;
  readonly method: 'GET' | 'POST';
  /** Path below /api/v1. */
  readonly path: string;
  readonly access: RouteAccess;
}

export const API_BASE_PATH = 'api/v1';

export const ROUTES: readonly RouteSpec[] = [
  { id: 'ListDatasets', handler: 'list-datasets', method: 'GET', path: 'datasets', access: 'read' },
  { id: 'CreateDataset', handler: 'create-dataset', method: 'POST', path: 'datasets', access: 'upload' },
  { id: 'GetDataset', handler: 'get-dataset', method: 'GET', path: 'dataset/{dataset_id}', access: 'read' },
  { id: 'AddMedia', handler: 'add-media', method: 'POST', path: 'dataset/{dataset_id}/add_media', access: 'upload' },
  { id: 'Reindex', handler: 'reindex', method: 'POST', path: 'dataset/{dataset_id}/reindex', access: 'reindex' },
  { id: 'ListMedia', handler: 'list-media', method: 'GET', path: 'dataset/{dataset_id}/media', access: 'read' },
  {
    id: 'ListClusters',
    handler: 'list-clusters',
    method: 'GET',
    path: 'dataset/{dataset_id}/clusters',
    access: 'read',
  },
];
