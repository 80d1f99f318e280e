import { DATASET_INDEX } from '../store/table-schema';

/** A position in the dataset index: the LastEvaluatedKey of a Query on it (table key and index key). */
interface DatasetIndexKey {
  readonly pk: string;
  readonly sk: string;
  readonly gsi1pk: string;
  readonly gsi1sk: string;
}

const MAX_CURSOR_LENGTH = 4096;
const FIELDS = ['pk', 'sk', 'gsi1pk', 'gsi1sk'] as const;

/** Opaque to clients: the base64url JSON of the index key to continue after. */
export const encodeDatasetCursor = (key: Record<string, unknown>): string =>
  Buffer.from(JSON.stringify(Object.fromEntries(FIELDS.map((field) => [field, String(key[field])])))).toString(
    'base64url',
  );

/** The key a cursor stands for, or undefined when it is not a position in the dataset index (the client's error: 400). */
export function decodeDatasetCursor(cursor: string): DatasetIndexKey | undefined {
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const record = parsed as Record<string, unknown>;
  if (Object.keys(record).length !== FIELDS.length || FIELDS.some((field) => typeof record[field] !== 'string'))
    return undefined;
  const key = record as unknown as DatasetIndexKey;
  const datasetId = key.pk.startsWith('DS#') ? key.pk.slice(3) : '';
  const consistent =
    datasetId !== '' &&
    key.sk === 'META' &&
    key.gsi1pk === DATASET_INDEX.partitionValue &&
    key.gsi1sk.endsWith(`#${datasetId}`);
  return consistent ? key : undefined;
}
