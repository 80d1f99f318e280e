import { createHash } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import * as messages from '../../core/operations/api-messages';
import { type IdempotencyScope, IdempotencyStore, isValidIdempotencyKey } from '../../core/operations/idempotency';
import type { OperationContext } from '../../core/operations/operation-context';
import type { Refused, Started } from '../../core/operations/operation-result';
import { requestHeader } from '../http/event-input';
import type { FormPart } from './multipart-form';

const IDEMPOTENCY_HEADER = 'Idempotency-Key';

export type IdempotentOutcome =
  | Started
  | Refused
  | { readonly ok: false; readonly idempotency: 'in_progress' | 'mismatch' };

/** The Idempotency-Key header, absent, or refused when it is not 1-255 visible ASCII characters. */
export function readIdempotencyKey(
  event: APIGatewayProxyEvent,
): { ok: true; key: string | undefined } | { ok: false; detail: string } {
  const key = requestHeader(event, IDEMPOTENCY_HEADER);
  if (key === undefined) return { ok: true, key: undefined };
  return isValidIdempotencyKey(key) ? { ok: true, key } : { ok: false, detail: messages.invalidIdempotencyKey };
}

/**
 * Runs `start` at most once per key: the claim is written before `start` has any side effect, a repeat of a completed
 * request gets its result back without running anything, and a failed or refused attempt gives the key back.
 */
export async function runIdempotently(
  context: OperationContext,
  scope: IdempotencyScope | undefined,
  now: Date,
  start: () => Promise<Started | Refused>,
): Promise<IdempotentOutcome> {
  if (!scope) return start();
  const store = new IdempotencyStore(context.dynamo, context.config.tableName);
  const claim = await store.claim(scope, now);
  if (claim.kind === 'replay') {
    return { ok: true, datasetId: claim.result.dataset_id, operationId: claim.result.operation_id || null };
  }
  if (claim.kind !== 'claimed') return { ok: false, idempotency: claim.kind };
  let outcome: Started | Refused;
  try {
    outcome = await start();
  } catch (error) {
    await store.release(scope, claim.token).catch(() => undefined);
    throw error;
  }
  if (outcome.ok) {
    // The operation runs whatever happens here; a record left IN_PROGRESS only delays a retry until its claim expires.
    await store
      .complete(scope, claim.token, { dataset_id: outcome.datasetId, operation_id: outcome.operationId ?? '' })
      .catch((error: unknown) =>
        context.logger.error('Could not complete the idempotency record', { error: error as Error }),
      );
  } else {
    await store.release(scope, claim.token);
  }
  return outcome;
}

/** A stable hash of what a form asked for: its fields in order, files by name and content hash. */
export function formFingerprint(route: string, parts: readonly FormPart[]): string {
  const described = parts.map((part) =>
    part.kind === 'field'
      ? ['field', part.name, part.value]
      : ['file', part.name, part.filename, createHash('sha256').update(part.bytes).digest('hex')],
  );
  return fingerprint([route, described]);
}

export const fingerprint = (value: unknown): string => createHash('sha256').update(JSON.stringify(value)).digest('hex');
