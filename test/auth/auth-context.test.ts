import { describe, expect, it } from 'vitest';
import { authFromEvent, MissingAuthContextError, toAuthorizerContext } from '../../lambdas/auth/auth-context';

describe('authFromEvent', () => {
  it('returns the caller the authorizer put in the request context', () => {
    const event = { requestContext: { authorizer: { principalId: 'alice', sub: 'alice', auth_method: 'cookie' } } };
    expect(authFromEvent(event)).toEqual({ sub: 'alice', authMethod: 'cookie' });
  });

  it('reads back what toAuthorizerContext wrote', () => {
    const authorizer = toAuthorizerContext({ sub: 'bob', authMethod: 'bearer' });
    expect(authorizer).toEqual({ sub: 'bob', auth_method: 'bearer' });
    expect(authFromEvent({ requestContext: { authorizer } })).toEqual({ sub: 'bob', authMethod: 'bearer' });
  });

  it.each([
    ['no request context', {}],
    ['a null authorizer', { requestContext: { authorizer: null } }],
    ['no sub', { requestContext: { authorizer: { auth_method: 'bearer' } } }],
    ['an empty sub', { requestContext: { authorizer: { sub: '', auth_method: 'bearer' } } }],
    ['an unknown auth method', { requestContext: { authorizer: { sub: 'alice', auth_method: 'basic' } } }],
  ])('throws MissingAuthContextError for %s', (_name, event) => {
    expect(() => authFromEvent(event)).toThrow(MissingAuthContextError);
  });
});
