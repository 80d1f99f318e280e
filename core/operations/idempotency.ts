import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { idempotencyKey, TTL_ATTRIBUTE } from '../store/table-schema';

/**
 * `Idempotency-Key` records (docs/data-model.md): one item per (caller, key, dataset, route), claimed with a
 * conditional Put BEFORE any side effect, completed with the operation's result, deleted when the attempt fails so the
 * client may retry with the same key.
 */
export interface IdempotencyScope {
  readonly sub: string;
  readonly key: string;
  /** The dataset the route acts on; create-dataset, which has none yet, uses '-'. */
  readonly datasetId: string;
  readonly route: string;
  /** Hash of the request; the same key sent with another request is refused. */
  readonly fingerprint: string;
}

/** What a completed request answered: replayed as is. */
export interface IdempotentResult {
  readonly operation_id: string;
  readonly dataset_id: string;
}

export type IdempotencyClaim =
  | { readonly kind: 'claimed'; readonly token: string }
  | { readonly kind: 'replay'; readonly result: IdempotentResult }
  | { readonly kind: 'in_progress' }
  | { readonly kind: 'mismatch' };

/** Records expire a day after the request (DynamoDB TTL on `expires_at`, epoch seconds). */
const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
/** An IN_PROGRESS claim older than this belongs to an invocation that died (API functions time out after 28 s). */
const IN_PROGRESS_EXPIRY_SECONDS = 60;

const HEADER_VALUE = /^[\x21-\x7e]{1,255}$/;
export const isValidIdempotencyKey = (value: string): boolean => HEADER_VALUE.test(value);

interface IdempotencyRecord {
  readonly status: 'IN_PROGRESS' | 'COMPLETED';
  readonly fingerprint: string;
  readonly token: string;
  readonly expires_at: number;
  readonly in_progress_expires_at: number;
  readonly result?: IdempotentResult;
}

export class IdempotencyStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Claims the key, or says what an earlier request with it did. Expired and abandoned claims are taken over. */
  async claim(scope: IdempotencyScope, now: Date): Promise<IdempotencyClaim> {
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const token = randomUUID();
    const key = idempotencyKey(scope.sub, scope.key, scope.datasetId, scope.route);
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...key,
            status: 'IN_PROGRESS',
            fingerprint: scope.fingerprint,
            token,
            created_at: now.toISOString(),
            [TTL_ATTRIBUTE]: nowSeconds + IDEMPOTENCY_TTL_SECONDS,
            in_progress_expires_at: nowSeconds + IN_PROGRESS_EXPIRY_SECONDS,
          },
          ConditionExpression:
            'attribute_not_exists(pk) OR #expires < :now OR (#status = :inProgress AND #inProgressExpires < :now)',
          ExpressionAttributeNames: {
            '#expires': TTL_ATTRIBUTE,
            '#status': 'status',
            '#inProgressExpires': 'in_progress_expires_at',
          },
          ExpressionAttributeValues: { ':now': nowSeconds, ':inProgress': 'IN_PROGRESS' },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { kind: 'claimed', token };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = error.Item
        ? (unmarshall(error.Item) as IdempotencyRecord)
        : ((await this.client.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true })))
            .Item as IdempotencyRecord | undefined);
      // Gone between the write and the read: the other attempt failed and released it; the client may simply retry.
      if (!existing) return { kind: 'in_progress' };
      if (existing.fingerprint !== scope.fingerprint) return { kind: 'mismatch' };
      if (existing.status === 'COMPLETED' && existing.result) return { kind: 'replay', result: existing.result };
      return { kind: 'in_progress' };
    }
  }

  /** Stores the result of the claimed request; a claim taken over by a later attempt is left alone. */
  async complete(scope: IdempotencyScope, token: string, result: IdempotentResult): Promise<void> {
    await this.client
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: idempotencyKey(scope.sub, scope.key, scope.datasetId, scope.route),
          UpdateExpression: 'SET #status = :completed, #result = :result',
          ConditionExpression: '#token = :token',
          ExpressionAttributeNames: { '#status': 'status', '#result': 'result', '#token': 'token' },
          ExpressionAttributeValues: { ':completed': 'COMPLETED', ':result': result, ':token': token },
        }),
      )
      .catch(ignoreConditionFailure);
  }

  /** Deletes the claim of a request that failed, so the same key can be used again. */
  async release(scope: IdempotencyScope, token: string): Promise<void> {
    await this.client
      .send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: idempotencyKey(scope.sub, scope.key, scope.datasetId, scope.route),
          ConditionExpression: '#token = :token',
          ExpressionAttributeNames: { '#token': 'token' },
          ExpressionAttributeValues: { ':token': token },
        }),
      )
      .catch(ignoreConditionFailure);
  }
}

function ignoreConditionFailure(error: unknown): void {
  if (!(error instanceof ConditionalCheckFailedException)) throw error;
}
