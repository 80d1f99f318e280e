import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { INTERNAL_ERROR, NOT_AUTHENTICATED, unknownQueryParameter } from '../../core/operations/api-messages';
import type { ReadContext } from '../../core/operations/read-context';
import { authFromEvent, MissingAuthContextError } from '../auth/auth-context';
import type { AuthenticatedCaller } from '../auth/authenticate-request';
import { checkCsrf, csrfFailureDetail } from '../auth/csrf';
import { unknownQueryParameters } from './event-input';
import { errorResponse } from './responses';
import { storageFailure } from './storage-failure';

export interface ApiRequest<C extends ReadContext> {
  readonly event: APIGatewayProxyEvent;
  readonly caller: AuthenticatedCaller;
  readonly context: C;
  readonly now: Date;
}

export type ApiRoute<C extends ReadContext> = (request: ApiRequest<C>) => Promise<APIGatewayProxyResult>;
export type ApiHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

/**
 * What every route does first, cheapest first: the caller from the authorizer's context (401 without one), the CSRF rule
 * for cookie-authenticated mutating requests (403), query parameters the route does not read (400 naming them, so a
 * misspelt filter is never silently ignored), then the route. An unexpected error is logged and answered with a plain
 * 500 that leaks nothing. Every log line of the request carries API Gateway's request id as correlation id (the id of
 * its access log line), and the method and resource.
 */
export function apiHandler<C extends ReadContext>(
  contextOf: () => C,
  route: ApiRoute<C>,
  queryParameters: readonly string[],
): ApiHandler {
  return async (event) => {
    const context = contextOf();
    context.logger.resetKeys();
    context.logger.setCorrelationId(event.requestContext?.requestId);
    context.logger.appendKeys({ method: event.httpMethod, resource: event.resource });
    let caller: AuthenticatedCaller;
    try {
      caller = authFromEvent(event);
    } catch (error) {
      if (!(error instanceof MissingAuthContextError)) throw error;
      context.logger.warn('Request without an authenticated caller', { reason: error.message });
      return errorResponse(401, NOT_AUTHENTICATED);
    }
    try {
      const csrf = checkCsrf({
        method: event.httpMethod,
        headers: event.headers,
        authMethod: caller.authMethod,
        allowedOrigins: context.config.allowedOrigins,
      });
      if (!csrf.ok) return errorResponse(403, csrfFailureDetail(csrf.reason));
      const unknown = unknownQueryParameters(event, queryParameters);
      if (unknown.length > 0) return errorResponse(400, unknownQueryParameter(unknown, queryParameters));
      return await route({ event, caller, context, now: new Date() });
    } catch (error) {
      const storage = storageFailure(error);
      if (storage) {
        context.logger.error('Storage refused a write', { error: error as Error, path: event.path });
        return errorResponse(storage.statusCode, storage.detail);
      }
      context.logger.error('Request failed', { error: error as Error, path: event.path, method: event.httpMethod });
      return errorResponse(500, INTERNAL_ERROR);
    }
  };
}
