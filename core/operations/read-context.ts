import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../aws/dynamo-client';
import { type ApiConfig, apiConfigFromEnv } from '../config/api-config';

/**
 * What the read-only routes need: the table and a logger. Kept apart from OperationContext so their bundles do not
 * carry the S3, Step Functions and STS clients.
 */
export interface ReadContext {
  readonly config: ApiConfig;
  readonly dynamo: DynamoDBDocumentClient;
  readonly logger: Logger;
}

let fromEnv: ReadContext | undefined;

export function readContextFromEnv(): ReadContext {
  fromEnv ??= { config: apiConfigFromEnv(), dynamo: createDocumentClient(), logger: new Logger() };
  return fromEnv;
}
