import { AuthConfigError, readAuthConfig } from '../../lambdas/auth/auth-config';
import type { LocalConfig } from '../config';
import { LOCAL_AUTH_DEFAULTS } from '../token';
import { isLoopbackHost } from './loopback';

const KEY_SOURCES = ['AUTH_JWKS_URL', 'AUTH_JWT_SECRET', 'AUTH_JWT_SECRET_ARN'] as const;

/** What to do about a problem, by the setting its message starts with. */
const FIXES: Readonly<Record<string, string>> = {
  AUTH_JWT_SECRET:
    'set AUTH_JWT_SECRET to 32 bytes or more, e.g. AUTH_JWT_SECRET=$(openssl rand -hex 32), or unset it to use the development secret on this machine',
  AUTH_JWKS_URL: "set AUTH_JWKS_URL to your provider's https JWKS URL",
  AUTH_ISSUER: 'set AUTH_ISSUER to the "iss" of your tokens, or unset it for the local default',
  AUTH_AUDIENCE: 'set AUTH_AUDIENCE to the "aud" of your tokens, or unset it for the local default',
  AUTH_COOKIE_NAME: 'set AUTH_COOKIE_NAME to letters, digits and -_. only, or unset it',
  set: 'keep exactly one of AUTH_JWKS_URL, AUTH_JWT_SECRET, AUTH_JWT_SECRET_ARN',
};

/** True when tokens are checked with the public secret of local/token.ts: anyone can mint them. */
function usesDevelopmentSecret(env: NodeJS.ProcessEnv): boolean {
  const given = KEY_SOURCES.filter((name) => env[name]?.trim());
  return given.length === 0 || env.AUTH_JWT_SECRET === LOCAL_AUTH_DEFAULTS.secret;
}

/**
 * The authentication settings the handlers will run with, checked before anything starts: what the authorizer would
 * otherwise find on the first request (and answer every request with 500) refuses the start instead.
 */
export function checkAuthSettings(
  config: LocalConfig,
  env: NodeJS.ProcessEnv,
): { problems: string[]; warnings: string[] } {
  const problems: string[] = [];
  const warnings: string[] = [];
  const loopback = isLoopbackHost(config.host);
  if (config.authMode === 'none') {
    if (!loopback)
      problems.push(
        `AUTH_MODE=none serves every caller as the local user, so it is refused on HOST=${config.host}; set HOST=127.0.0.1, or unset AUTH_MODE and give callers tokens`,
      );
    else warnings.push('AUTH_MODE=none: no credentials are asked; every request acts as the local user');
    return { problems, warnings };
  }
  if (env.AUTH_JWT_SECRET_ARN?.trim()) {
    problems.push(
      'AUTH_JWT_SECRET_ARN is for the cloud deployment: the local service holds no AWS credentials to read it; set AUTH_JWT_SECRET (the secret itself) or AUTH_JWKS_URL instead',
    );
    return { problems, warnings };
  }
  const hasKeySource = KEY_SOURCES.some((name) => env[name]?.trim());
  const authEnv = {
    ...env,
    ...(hasKeySource ? {} : { AUTH_JWT_SECRET: LOCAL_AUTH_DEFAULTS.secret }),
    AUTH_ISSUER: env.AUTH_ISSUER ?? LOCAL_AUTH_DEFAULTS.issuer,
    AUTH_AUDIENCE: env.AUTH_AUDIENCE ?? LOCAL_AUTH_DEFAULTS.audience,
  };
  try {
    readAuthConfig(authEnv);
  } catch (error) {
    if (!(error instanceof AuthConfigError)) throw error;
    for (const problem of error.problems) problems.push(withFix(problem));
  }
  if (usesDevelopmentSecret(env)) {
    if (!loopback)
      problems.push(
        `the public development secret cannot protect a service listening on HOST=${config.host}; set AUTH_JWT_SECRET=$(openssl rand -hex 32) (or AUTH_JWKS_URL), or HOST=127.0.0.1`,
      );
    else
      warnings.push(
        'AUTH_JWT_SECRET is not set: tokens are checked with the public development secret (anyone can mint one); fine on this machine, set AUTH_JWT_SECRET=$(openssl rand -hex 32) before exposing the service',
      );
  }
  return { problems, warnings };
}

function withFix(problem: string): string {
  const setting = /^[A-Za-z_]+/.exec(problem)?.[0] ?? '';
  const fix = FIXES[setting];
  return fix ? `${problem}; ${fix}` : problem;
}
