import type { NativeAttributeValue } from '@aws-sdk/util-dynamodb';

/** A DynamoDB key of the single table: what a Query's LastEvaluatedKey holds for the main index. */
export interface TableKey {
  readonly pk: string;
  readonly sk: string;
}

const MAX_CURSOR_LENGTH = 4096;

/** Opaque to clients: the base64url JSON of the key to continue after. */
export const encodeCursor = (key: TableKey): string =>
  Buffer.from(JSON.stringify({ pk: key.pk, sk: key.sk })).toString('base64url');

/**
 * The key a cursor stands for, or undefined when it is not one of ours or does not continue the listing at hand
 * (`belongs` checks that it points into this dataset's partition) — a bad cursor is the client's error, never a 500.
 */
export function decodeCursor(cursor: string, belongs: (key: TableKey) => boolean): TableKey | undefined {
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const { pk, sk, ...rest } = parsed as Record<string, unknown>;
  if (typeof pk !== 'string' || typeof sk !== 'string' || sk === '' || Object.keys(rest).length > 0) return undefined;
  const key = { pk, sk };
  return belongs(key) ? key : undefined;
}

/** A LastEvaluatedKey of the main index as a TableKey (Query results type it loosely). */
export const tableKeyOf = (key: Record<string, NativeAttributeValue>): TableKey => ({
  pk: String(key.pk),
  sk: String(key.sk),
});
