import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDynaliteWithStorageErrors } from '../../local/embedded/dynalite-storage-errors';
import { ensureTable } from '../../local/embedded/ensure-table';
import { TEST_CREDENTIALS, TEST_REGION } from '../support/servers';

let server: Server;
let client: DynamoDBClient;

beforeAll(async () => {
  // A table stays CREATING for 300 ms here: what a loaded machine does to the service's own dynalite (createTableMs 0).
  server = loadDynaliteWithStorageErrors()({ createTableMs: 300 }) as Server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: TEST_REGION,
    credentials: TEST_CREDENTIALS,
  });
});
afterAll(async () => {
  client.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('the local service table', () => {
  it('is ACTIVE when ensureTable returns, so the first item request after a fresh start succeeds', async () => {
    await ensureTable(client, 'fresh');
    const { Table } = await client.send(new DescribeTableCommand({ TableName: 'fresh' }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    await expect(
      client.send(new PutItemCommand({ TableName: 'fresh', Item: { pk: { S: 'a' }, sk: { S: 'b' } } })),
    ).resolves.toBeDefined();
  });

  it('is left as it is when DATA_DIR already holds it', async () => {
    await ensureTable(client, 'kept');
    await client.send(new PutItemCommand({ TableName: 'kept', Item: { pk: { S: 'a' }, sk: { S: 'b' } } }));
    await ensureTable(client, 'kept');
    const { Item } = await client.send(
      new GetItemCommand({ TableName: 'kept', Key: { pk: { S: 'a' }, sk: { S: 'b' } } }),
    );
    expect(Item).toEqual({ pk: { S: 'a' }, sk: { S: 'b' } });
  });
});
