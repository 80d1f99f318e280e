import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { handler } from '../../lambdas/authorizer/handler';
import { AUDIENCE, ISSUER, nowSeconds, SECRET, signHs256, unsignedToken, validClaims } from './token-fixtures';

// The handler reads the environment once, on its first request.
Object.assign(process.env, { AUTH_JWT_SECRET: SECRET, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE });

const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod/POST/api/v1/dataset/ds-1/add_media';

function authorizerEvent(headers: Record<string, string>, methodArn = METHOD_ARN): APIGatewayRequestAuthorizerEvent {
  return {
    type: 'REQUEST',
    methodArn,
    resource: '/api/v1/dataset/{dataset_id}/add_media',
    path: '/api/v1/dataset/ds-1/add_media',
    httpMethod: 'POST',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    pathParameters: { dataset_id: 'ds-1' },
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    requestContext: {} as APIGatewayRequestAuthorizerEvent['requestContext'],
  };
}

let logged: string[];
beforeEach(() => {
  logged = [];
  const capture = (chunk: unknown) => {
    logged.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
});
afterEach(() => vi.restoreAllMocks());

describe('authorizer handler', () => {
  it('allows a bearer caller on every method and path of the stage, with sub and auth_method as context', async () => {
    const token = await signHs256(validClaims());
    await expect(handler(authorizerEvent({ Authorization: `Bearer ${token}` }))).resolves.toEqual({
      principalId: 'alice',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Action: 'execute-api:Invoke',
            Effect: 'Allow',
            Resource: 'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod/*/*',
          },
        ],
      },
      context: { sub: 'alice', auth_method: 'bearer' },
    });
  });

  it('allows a cookie caller and says so in the context', async () => {
    const token = await signHs256(validClaims({ sub: 'carol' }));
    const result = await handler(authorizerEvent({ Cookie: `session=${token}` }));
    expect(result.principalId).toBe('carol');
    expect(result.context).toEqual({ sub: 'carol', auth_method: 'cookie' });
  });

  it('keeps the partition of the method ARN (GovCloud, China)', async () => {
    const token = await signHs256(validClaims());
    const arn = 'arn:aws-cn:execute-api:cn-north-1:123456789012:abc123/v1/GET/api/v1/datasets';
    const result = await handler(authorizerEvent({ Authorization: `Bearer ${token}` }, arn));
    expect(result.policyDocument.Statement[0]).toMatchObject({
      Resource: 'arn:aws-cn:execute-api:cn-north-1:123456789012:abc123/v1/*/*',
    });
  });

  it.each([
    ['no credentials', {}],
    ['a session cookie named otherwise', { Cookie: 'other=abc' }],
  ])('throws Unauthorized for %s (401, WWW-Authenticate: Bearer)', async (_name, headers) => {
    await expect(handler(authorizerEvent(headers))).rejects.toThrow(new Error('Unauthorized'));
  });

  it.each([
    ['an empty bearer', async () => ({ Authorization: 'Bearer ' }), 'invalid_request', 'The bearer token is empty'],
    [
      'alg none',
      async () => ({ Authorization: `Bearer ${unsignedToken(validClaims())}` }),
      'invalid_token',
      'The token signing algorithm is not accepted here',
    ],
    [
      'an expired token',
      async () => ({ Authorization: `Bearer ${await signHs256(validClaims({ exp: nowSeconds() - 120 }))}` }),
      'invalid_token',
      'The token expired; get a new one',
    ],
    [
      'a token for another audience',
      async () => ({ Authorization: `Bearer ${await signHs256(validClaims({ aud: 'x' }))}` }),
      'invalid_token',
      `The token audience (aud) is not accepted here; expected ${AUDIENCE}`,
    ],
    [
      'a token of another issuer',
      async () => ({ Authorization: `Bearer ${await signHs256(validClaims({ iss: 'https://other.test' }))}` }),
      'invalid_token',
      `The token issuer (iss) is not accepted here; expected ${ISSUER}`,
    ],
    ['a garbage cookie', async () => ({ Cookie: 'session=garbage' }), 'invalid_token', 'The token is not a valid JWT'],
  ])(
    'denies %s with the RFC 6750 challenge in the context (the gateway puts it in WWW-Authenticate)',
    async (_name, headers, error, description) => {
      await expect(handler(authorizerEvent(await headers()))).resolves.toEqual({
        principalId: 'unauthenticated',
        policyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Action: 'execute-api:Invoke',
              Effect: 'Deny',
              Resource: 'arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod/*/*',
            },
          ],
        },
        context: { www_authenticate: `Bearer error="${error}", error_description="${description}"` },
      });
    },
  );

  it('throws Unauthorized for a method ARN that is not from execute-api', async () => {
    const token = await signHs256(validClaims());
    await expect(handler(authorizerEvent({ Authorization: `Bearer ${token}` }, 'not-an-arn'))).rejects.toThrow(
      new Error('Unauthorized'),
    );
  });

  it('logs why a token was refused, never the token itself', async () => {
    const token = await signHs256(validClaims({ iss: 'https://evil.test' }));
    await expect(handler(authorizerEvent({ Authorization: `Bearer ${token}` }))).resolves.toMatchObject({
      policyDocument: { Statement: [{ Effect: 'Deny' }] },
    });
    const output = logged.join('');
    expect(output).toContain('unexpected \\"iss\\" claim value');
    for (const part of token.split('.')) expect(output).not.toContain(part);
  });
});

describe('authorizer handler without configuration', () => {
  it('fails as a deployment error (500 at API Gateway), not as a 401, and says what is missing', async () => {
    vi.resetModules();
    const saved = { ...process.env };
    delete process.env.AUTH_JWT_SECRET;
    delete process.env.AUTH_ISSUER;
    try {
      const fresh = await import('../../lambdas/authorizer/handler');
      const token = await signHs256(validClaims());
      await expect(fresh.handler(authorizerEvent({ Authorization: `Bearer ${token}` }))).rejects.toThrow(
        /Authentication is not configured correctly: set one key source.*AUTH_ISSUER is required/,
      );
    } finally {
      process.env = saved;
    }
  });
});
