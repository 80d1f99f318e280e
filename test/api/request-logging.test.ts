import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import type { ApiConfig } from '../../core/config/api-config';
import type { ReadContext } from '../../core/operations/read-context';
import { apiHandler } from '../../lambdas/http/api-handler';
import { apiEvent } from '../support/api-events';

describe('API request logging', () => {
  it('gives every log line of a request its API Gateway request id, its own', async () => {
    const context: ReadContext = {
      config: { allowedOrigins: [] } as unknown as ApiConfig,
      dynamo: {} as ReadContext['dynamo'],
      logger: new Logger({ logLevel: 'SILENT' }),
    };
    const seen: unknown[] = [];
    const handler = apiHandler(
      () => context,
      async ({ context: { logger } }) => {
        seen.push(logger.getCorrelationId());
        return { statusCode: 204, body: '' };
      },
      [],
    );
    const first = apiEvent({ method: 'GET', resource: '/api/v1/datasets', caller: { sub: 'u1' } });
    const second = apiEvent({ method: 'GET', resource: '/api/v1/dataset/{dataset_id}', caller: { sub: 'u1' } });
    await handler(first);
    await handler(second);

    expect(seen).toEqual([first.requestContext.requestId, second.requestContext.requestId]);
    expect(first.requestContext.requestId).not.toBe(second.requestContext.requestId);
  });
});
