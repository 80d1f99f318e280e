import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { batchWriteAll, fullJitterDelayMs } from '../../core/store/batch-write';
import { createTestTable, type TestTable } from '../support/servers';

describe('batchWriteAll (DynamoDB Local)', () => {
  let table: TestTable;
  beforeAll(async () => {
    table = await createTestTable();
  });

  const itemsOf = async (pk: string) =>
    (
      await table.client.send(
        new QueryCommand({
          TableName: table.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
        }),
      )
    ).Items ?? [];

  it('puts and deletes more items than one BatchWriteItem call takes', async () => {
    const keys = Array.from({ length: 120 }, (_, i) => ({ pk: 'BW#1', sk: `item#${String(i).padStart(3, '0')}` }));
    await batchWriteAll(
      table.client,
      table.tableName,
      keys.map((key, i) => ({ PutRequest: { Item: { ...key, n: i } } })),
    );
    expect((await itemsOf('BW#1')).map((item) => item.n)).toEqual(keys.map((_, i) => i));

    await batchWriteAll(
      table.client,
      table.tableName,
      keys.map((Key) => ({ DeleteRequest: { Key } })),
    );
    expect(await itemsOf('BW#1')).toEqual([]);
  });
});

describe('fullJitterDelayMs', () => {
  it('draws from zero up to an exponentially growing cap, never above five seconds', () => {
    expect(fullJitterDelayMs(1, () => 0)).toBe(0);
    expect(fullJitterDelayMs(1, () => 0.999)).toBe(49);
    expect(fullJitterDelayMs(4, () => 0.5)).toBe(200);
    expect(fullJitterDelayMs(30, () => 0.999)).toBe(4995);
  });
});
