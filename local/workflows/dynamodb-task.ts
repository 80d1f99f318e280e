import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { TaskError } from './execution-scope';

const COMMANDS: Record<string, new (input: any) => any> = {
  getItem: GetItemCommand,
  putItem: PutItemCommand,
  updateItem: UpdateItemCommand,
  deleteItem: DeleteItemCommand,
  query: QueryCommand,
  transactWriteItems: TransactWriteItemsCommand,
};

/** `arn:aws:states:::dynamodb:updateItem` (optimized) or `arn:aws:states:::aws-sdk:dynamodb:updateItem` → the action and error prefix. */
export function dynamoDbAction(resource: string): { action: string; errorPrefix: string } | undefined {
  const match = /^arn:aws[\w-]*:states:::(aws-sdk:)?dynamodb:(\w+)$/.exec(resource);
  if (!match) return undefined;
  const action = match[2]!;
  if (!COMMANDS[action]) throw new Error(`DynamoDB integration ${resource} has no local implementation`);
  // Optimized integrations name errors "DynamoDB.X", AWS SDK integrations "DynamoDb.X" (Step Functions' spelling).
  return { action, errorPrefix: match[1] ? 'DynamoDb' : 'DynamoDB' };
}

/** Performs the integration's call against the local table; the response (DynamoDB JSON) is what the Task state gets. */
export async function callDynamoDb(client: DynamoDBClient, action: string, errorPrefix: string, parameters: unknown): Promise<unknown> {
  const Command = COMMANDS[action]!;
  try {
    const { $metadata, ...response } = (await client.send(new Command(parameters))) as { $metadata: { httpStatusCode?: number } };
    return { ...response, SdkHttpMetadata: { HttpStatusCode: $metadata.httpStatusCode ?? 200 } };
  } catch (error) {
    const failure = error as Error;
    throw new TaskError(`${errorPrefix}.${failure.name}`, failure.message);
  }
}
