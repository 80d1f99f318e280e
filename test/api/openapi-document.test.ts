import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openApiDocument, openApiText } from '../../core/api-schema/openapi-document';
import { operationEventSchemaText } from '../../core/api-schema/operation-event';
import { API_BASE_PATH, ROUTES } from '../../core/routes';
import { handler } from '../../lambdas/openapi/handler';
import { apiEvent } from '../support/api-events';

const COMMITTED = new URL('../../docs/openapi.json', import.meta.url);
const RESOURCE = '/api/v1/openapi.json';

interface Operation {
  parameters?: ({ $ref: string } | { name: string; in: string })[];
  security?: unknown[];
}

describe('the OpenAPI document', () => {
  it('is committed as docs/openapi.json exactly as the code generates it (run `npm run openapi` after a change)', () => {
    expect(readFileSync(COMMITTED, 'utf8')).toBe(openApiText());
  });

  it('has the JSON Schema of the operation-end events committed as docs/operation-event.schema.json, as generated', () => {
    expect(readFileSync(new URL('../../docs/operation-event.schema.json', import.meta.url), 'utf8')).toBe(
      operationEventSchemaText(),
    );
  });

  it('describes every route of core/routes.ts with its method, path and query parameters', () => {
    const document = openApiDocument() as unknown as {
      paths: Record<string, Record<string, Operation>>;
      components: { parameters: Record<string, { name: string; in: string }> };
    };
    const described = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(described.sort()).toEqual(ROUTES.map((route) => `${route.method} /${API_BASE_PATH}/${route.path}`).sort());
    for (const route of ROUTES) {
      const operation = document.paths[`/${API_BASE_PATH}/${route.path}`]![route.method.toLowerCase()]!;
      const query = (operation.parameters ?? [])
        .map((parameter) =>
          '$ref' in parameter ? document.components.parameters[parameter.$ref.split('/').at(-1)!]! : parameter,
        )
        .filter((parameter) => parameter.in === 'query')
        .map((parameter) => parameter.name);
      expect(query, route.id).toEqual(route.query);
      expect(operation.security, route.id).toEqual(route.access === 'public' ? [] : undefined);
    }
  });

  it('is served at GET /api/v1/openapi.json without credentials, the same text as committed', async () => {
    const answer = await handler(apiEvent({ method: 'GET', resource: RESOURCE, caller: null }));
    expect(answer.statusCode).toBe(200);
    expect(answer.headers?.['Content-Type']).toBe('application/json');
    expect(answer.body).toBe(readFileSync(COMMITTED, 'utf8'));
  });

  it('refuses an unknown query parameter like every route', async () => {
    const answer = await handler(apiEvent({ method: 'GET', resource: RESOURCE, query: { v: '2' }, caller: null }));
    expect(answer.statusCode).toBe(400);
    expect(JSON.parse(answer.body)).toEqual({ detail: "Unknown query parameter 'v'; this route takes none" });
  });
});
