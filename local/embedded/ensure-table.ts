import { setTimeout } from 'node:timers/promises';
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import { createTableInput } from '../../core/store/table-schema';

/**
 * Creates the service's table unless DATA_DIR already holds it (then the create answers "in use"), and returns once it
 * is ACTIVE: the status is read once either way.
 */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new CreateTableCommand(createTableInput(tableName)));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await untilActive(client, tableName);
}

/**
 * dynalite, like DynamoDB, answers "Requested resource not found" to any item request on a table still CREATING, and
 * makes it ACTIVE on a timer (createTableMs 0: the next turn of its event loop, later on a loaded machine): the first
 * request of the start-up recovery once lost that race.
 */
async function untilActive(client: DynamoDBClient, tableName: string): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await setTimeout(10);
  }
  throw new Error(`table ${tableName} is still not ACTIVE after 5 s`);
}
