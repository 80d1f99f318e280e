import type { Server } from 'node:http';
import { authenticateRequest } from '../../lambdas/auth/authenticate-request';
import { formatChallenge } from '../../lambdas/auth/bearer-challenge';
import { NotAuthenticatedError } from '../../lambdas/auth/not-authenticated-error';
import { lambdaContext, loadLambdaHandler } from '../lambda/lambda-handlers';
import { createApiServer, type ServedRoute } from './api-server';
import { CallerGate } from './caller-gate';
import { FOREIGN_PAGE_CHALLENGE, fromOwnPages } from './cookie-site-rule';
import { GALLERY_ROUTES } from './gallery-routes';
import { MEDIA_ROUTES } from './media-routes';
import { PROCESS_ROUTES } from './process-routes';
import { API_ROUTES } from './routes';
import { type LocalAuthenticate, sessionRoutes } from './session-routes';
import { singleUserCaller } from './single-user-auth';

/** Locally a large upload has two ways in that need no body limit: the embedded S3 and the path routes. */
const localBodyTooLarge = (limitBytes: number) =>
  `Request body too large for direct upload (limit ${limitBytes} bytes, MAX_UPLOAD_BYTES); add the media by path instead ` +
  '(GET /api/v1/process/add_media?dataset_id=<id>&path=<folder, manifest or archive>, or run_profiler.sh -p), ' +
  'or put them into the embedded S3 and pass s3_uri, or restart with a larger MAX_UPLOAD_BYTES';

/** Requests of one user waiting for their turn before the next one is answered 429. */
const MAX_QUEUED_PER_USER = 200;

/**
 * The API as `npm start` serves it: the deployed routes on their Lambda handlers, plus the on-prem process routes (GET
 * and POST), all behind the authorizer's check; and the gallery at `/` with its sign-in at `/session`. Settings are
 * read from the environment on first use, so create it once the environment is set. `authMode` none: no credentials,
 * every caller is the local user (single-user-auth.ts). A session cookie counts only on requests of the service's own
 * pages (cookie-site-rule.ts).
 */
export function createLocalApiServer(
  maxBodyBytes: number,
  maxRequestsPerUser: number,
  authMode: 'jwt' | 'none',
  log: (message: string) => void,
): Server {
  const authenticate: LocalAuthenticate = async (headers) => {
    if (authMode === 'none') return singleUserCaller(headers);
    try {
      const caller = await authenticateRequest(headers);
      if (caller.authMethod === 'cookie' && !fromOwnPages(headers)) return { challenge: FOREIGN_PAGE_CHALLENGE };
      return caller;
    } catch (error) {
      if (error instanceof NotAuthenticatedError) return { challenge: formatChallenge(error.challenge) };
      throw error;
    }
  };
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
    ...GALLERY_ROUTES,
    ...sessionRoutes(authMode, authenticate),
  ];
  return createApiServer({
    routes,
    maxBodyBytes,
    tooLargeDetail: localBodyTooLarge(maxBodyBytes),
    gate: new CallerGate(maxRequestsPerUser, MAX_QUEUED_PER_USER),
    authenticate,
    log,
  });
}
