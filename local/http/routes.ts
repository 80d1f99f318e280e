import { API_BASE_PATH, ROUTES } from '../../core/routes';

/** Anything with a method and an API Gateway style resource path (`{param}` segments) can be routed. */
export interface RouteKey {
  readonly method: string;
  readonly resource: string;
}

/** The deployed API's routes (core/routes.ts), each served by the Lambda handler in lambdas/{handler}/. */
export const API_ROUTES = ROUTES.map((route) => ({
  method: route.method,
  resource: `/${API_BASE_PATH}/${route.path}`,
  handler: route.handler,
  // API Gateway serves these without the authorizer (lib/api/api.ts).
  public: route.access === 'public',
}));

export interface RouteMatch<R extends RouteKey> {
  readonly route: R;
  readonly pathParameters: Record<string, string> | null;
}

/** The route serving `method` + `path` (no query string), with its decoded path parameters; undefined when none does. */
export function matchRoute<R extends RouteKey>(
  routes: readonly R[],
  method: string,
  path: string,
): RouteMatch<R> | undefined {
  for (const route of routes) {
    if (route.method !== method) continue;
    const pathParameters = matchResource(route.resource, path);
    if (pathParameters !== undefined) return { route, pathParameters };
  }
  return undefined;
}

/** The methods some route serves on `path` (a wrong method gets 405 with these in `Allow`); empty: unknown path. */
export function allowedMethods(routes: readonly RouteKey[], path: string): string[] {
  const methods = routes
    .filter((route) => matchResource(route.resource, path) !== undefined)
    .map((route) => route.method);
  return [...new Set(methods)].sort();
}

function matchResource(resource: string, path: string): Record<string, string> | null | undefined {
  const expected = resource.split('/');
  // A trailing slash is ignored, except that the root stays `/`.
  const actual = (path.replace(/\/+$/, '') || '/').split('/');
  if (expected.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, segment] of expected.entries()) {
    const value = actual[i]!;
    const param = /^\{(\w+)\}$/.exec(segment)?.[1];
    if (param) {
      const decoded = safeDecode(value);
      if (!decoded) return undefined;
      params[param] = decoded;
    } else if (segment !== value) {
      return undefined;
    }
  }
  return Object.keys(params).length > 0 ? params : null;
}

function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}
