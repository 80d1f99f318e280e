import type { Server } from 'node:http';
import { bodyTooLarge } from '../../core/operations/api-messages';
import { authenticateRequest } from '../../lambdas/auth/authenticate-request';
import { NotAuthenticatedError } from '../../lambdas/auth/not-authenticated-error';
import { lambdaContext, loadLambdaHandler } from '../lambda/lambda-handlers';
import { createApiServer, type ServedRoute } from './api-server';
import { MEDIA_ROUTES } from './media-routes';
import { PROCESS_ROUTES } from './process-routes';
import { API_ROUTES } from './routes';

/**
 * The API as `npm start` serves it: the deployed routes on their Lambda handlers, plus the on-prem process routes (GET
 * and POST), all behind the authorizer's check. Settings are read from the environment on first use, so create it once
 * the environment is set.
 */
export function createLocalApiServer(maxBodyBytes: number, log: (message: string) => void): Server {
  const routes: ServedRoute[] = [
    ...API_ROUTES.map((route) => ({
      ...route,
      name: route.handler,
      serve: async (event: Parameters<ServedRoute['serve']>[0]) =>
        (await loadLambdaHandler(route.handler))(
          event,
          lambdaContext(route.handler, event.requestContext.requestId),
        ) as ReturnType<ServedRoute['serve']>,
    })),
    ...MEDIA_ROUTES.map((route) => ({
      method: 'GET',
      resource: route.resource,
      name: route.name,
      serve: route.handler,
    })),
    ...PROCESS_ROUTES.flatMap((route) =>
      ['GET', 'POST'].map((method) => ({ method, resource: route.resource, name: route.name, serve: route.handler })),
    ),
  ];
  return createApiServer({
    routes,
    maxBodyBytes,
    tooLargeDetail: bodyTooLarge(maxBodyBytes),
    authenticate: async (headers) => {
      try {
        return await authenticateRequest(headers);
      } catch (error) {
        if (error instanceof NotAuthenticatedError) return null;
        throw error;
      }
    },
    log,
  });
}
