/** Dataset statuses, their API names, and which operation may start from which status (API.md "Dataset status"). */
const DATASET_STATUSES = ['READY', 'UPDATING', 'PENDING_INDEX', 'INDEXING', 'ERROR'] as const;
export type DatasetStatus = (typeof DATASET_STATUSES)[number];

export const STATUS_NEW = {
  READY: 'READY',
  UPDATING: 'READ ONLY',
  PENDING_INDEX: 'PARTIAL INDEX',
  INDEXING: 'INDEXING',
  ERROR: 'ERROR',
} as const satisfies Record<DatasetStatus, string>;

export const statusNew = (status: DatasetStatus) => STATUS_NEW[status];

export const TASK_TYPES = ['MEDIA_ADDITION', 'REINDEX', 'INITIAL_INDEX'] as const;
export type TaskType = (typeof TASK_TYPES)[number];

/** The API's operation names (used in 409 messages) mapped to what they lock and where they may start. */
export const OPERATIONS = {
  add_media: { taskType: 'MEDIA_ADDITION', allowedFrom: ['READY', 'PENDING_INDEX', 'ERROR'], lockedStatus: 'UPDATING' },
  reindex: { taskType: 'REINDEX', allowedFrom: ['PENDING_INDEX', 'ERROR'], lockedStatus: 'INDEXING' },
} as const satisfies Record<
  string,
  { taskType: TaskType; allowedFrom: readonly DatasetStatus[]; lockedStatus: DatasetStatus }
>;

export type OperationName = keyof typeof OPERATIONS;

export const isAllowedFrom = (operation: OperationName, status: DatasetStatus): boolean =>
  (OPERATIONS[operation].allowedFrom as readonly DatasetStatus[]).includes(status);
