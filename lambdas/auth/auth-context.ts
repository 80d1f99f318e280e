import type { AuthenticatedCaller } from './authenticate-request';
import type { AuthMethod } from './credentials-from-request';

/** What the authorizer puts in `requestContext.authorizer` (API Gateway passes context values as strings). */
export interface AuthorizerContext {
  readonly sub: string;
  readonly auth_method: AuthMethod;
  readonly [key: string]: string;
}

/** A request event reached a handler without an authenticated caller: the route is not behind the authorizer. */
export class MissingAuthContextError extends Error {
  constructor(detail: string) {
    super(`No authenticated caller in requestContext.authorizer: ${detail}`);
    this.name = 'MissingAuthContextError';
  }
}

/** The part of an API Gateway proxy event (cloud or local) that carries the authorizer's result. */
export interface EventWithAuthorizer {
  readonly requestContext?: { readonly authorizer?: Readonly<Record<string, unknown>> | null } | null;
}

export function toAuthorizerContext(caller: AuthenticatedCaller): AuthorizerContext {
  return { sub: caller.sub, auth_method: caller.authMethod };
}

/** The caller as handlers see it; throws {@link MissingAuthContextError} when the authorizer's context is absent. */
export function authFromEvent(event: EventWithAuthorizer): AuthenticatedCaller {
  const authorizer = event.requestContext?.authorizer;
  if (!authorizer) throw new MissingAuthContextError('no authorizer context');
  const { sub, auth_method: authMethod } = authorizer;
  if (typeof sub !== 'string' || sub === '') throw new MissingAuthContextError('no sub');
  if (authMethod !== 'bearer' && authMethod !== 'cookie') throw new MissingAuthContextError('no valid auth_method');
  return { sub, authMethod };
}
