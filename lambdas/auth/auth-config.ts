import { SETTING, SettingsReader } from '../../core/config/settings';

/**
 * Authentication settings, read from the environment once per cold start.
 *
 * | variable | meaning |
 * | --- | --- |
 * | `AUTH_JWKS_URL` | JWKS of an OIDC provider (Cognito: `https://cognito-idp.<region>.amazonaws.com/<poolId>/.well-known/jwks.json`); RS/PS/ES algorithms |
 * | `AUTH_JWT_SECRET` | shared HS256 secret in plain env (local / self-hosted), at least 32 bytes |
 * | `AUTH_JWT_SECRET_ARN` | Secrets Manager secret whose `SecretString` is the HS256 secret; fetched once per cold start |
 * | `AUTH_ISSUER` | required `iss` (Cognito: `https://cognito-idp.<region>.amazonaws.com/<poolId>`) |
 * | `AUTH_AUDIENCE` | required `aud`; a comma-separated list accepts any of them (Cognito: the app client id, so ID tokens) |
 * | `AUTH_COOKIE_NAME` | session cookie name, default `session` |
 *
 * Exactly one of the three key sources must be set. Clock skew of {@link CLOCK_TOLERANCE_SECONDS} is tolerated on
 * `exp` and `nbf`.
 */
export type KeySource =
  | { readonly kind: 'jwks'; readonly jwksUrl: URL }
  | { readonly kind: 'secret'; readonly secret: string }
  | { readonly kind: 'secret-arn'; readonly secretArn: string };

export interface AuthConfig {
  readonly keySource: KeySource;
  readonly issuer: string;
  readonly audience: readonly string[];
  readonly cookieName: string;
  readonly clockToleranceSeconds: number;
}

/** Skew allowed between the token issuer's clock and ours, on `exp` and `nbf`. */
export const CLOCK_TOLERANCE_SECONDS = 30;
export const DEFAULT_COOKIE_NAME = 'session';
/** RFC 7518 §3.2: an HS256 key must be at least as long as the hash output. */
const MIN_SECRET_BYTES = 32;

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;
/** RFC 6265 cookie-name: an RFC 7230 token. */
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export class AuthConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Authentication is not configured correctly: ${problems.join('; ')}`);
    this.name = 'AuthConfigError';
  }
}

/** Reads and checks every setting through the shared settings reader, reporting all problems at once. */
export function readAuthConfig(env: NodeJS.ProcessEnv = process.env): AuthConfig {
  const read = new SettingsReader(env);
  const keySource = readKeySource(env, read);
  const issuer = read.optional('AUTH_ISSUER', SETTING.text);
  if (!issuer) read.problem('AUTH_ISSUER is required (the expected "iss" claim)');
  const audience = read.value('AUTH_AUDIENCE', SETTING.list, []);
  if (audience.length === 0)
    read.problem('AUTH_AUDIENCE is required (the expected "aud" claim, comma-separated for several)');
  const cookieName = read.value(
    'AUTH_COOKIE_NAME',
    SETTING.matching(COOKIE_NAME, 'a valid cookie name (an RFC 7230 token)'),
    DEFAULT_COOKIE_NAME,
  );
  if (read.problems.length > 0 || !keySource || !issuer) throw new AuthConfigError(read.problems);
  return { keySource, issuer, audience, cookieName, clockToleranceSeconds: CLOCK_TOLERANCE_SECONDS };
}

let cachedConfig: AuthConfig | undefined;

/** The configuration of this process, read on first use; throws {@link AuthConfigError} when incomplete. */
export function getAuthConfig(): AuthConfig {
  cachedConfig ??= readAuthConfig();
  return cachedConfig;
}

/** Checks a shared secret wherever it came from (env or Secrets Manager). */
export function checkSharedSecret(secret: string, origin: string): void {
  const bytes = Buffer.byteLength(secret, 'utf8');
  if (bytes < MIN_SECRET_BYTES) throw new AuthConfigError([secretTooShort(origin, bytes)]);
}

/** Never shows the secret itself. */
const secretTooShort = (origin: string, bytes: number) =>
  `${origin} must be at least ${MIN_SECRET_BYTES} bytes long for HS256 (it has ${bytes})`;

function readKeySource(env: NodeJS.ProcessEnv, read: SettingsReader): KeySource | undefined {
  const jwksUrl = env.AUTH_JWKS_URL?.trim();
  const secret = env.AUTH_JWT_SECRET;
  const secretArn = env.AUTH_JWT_SECRET_ARN?.trim();
  const given = [jwksUrl && 'AUTH_JWKS_URL', secret && 'AUTH_JWT_SECRET', secretArn && 'AUTH_JWT_SECRET_ARN'].filter(
    Boolean,
  );
  if (given.length !== 1) {
    read.problem(
      given.length === 0
        ? 'set one key source: AUTH_JWKS_URL, AUTH_JWT_SECRET or AUTH_JWT_SECRET_ARN'
        : `set only one key source, not ${given.join(' and ')}`,
    );
    return undefined;
  }
  if (jwksUrl) {
    const url = read.value('AUTH_JWKS_URL', JWKS_URL);
    return url ? { kind: 'jwks', jwksUrl: new URL(url) } : undefined;
  }
  if (secret) {
    const bytes = Buffer.byteLength(secret, 'utf8');
    if (bytes >= MIN_SECRET_BYTES) return { kind: 'secret', secret };
    read.problem(secretTooShort('AUTH_JWT_SECRET', bytes));
    return undefined;
  }
  const arn = read.value('AUTH_JWT_SECRET_ARN', SETTING.matching(SECRET_ARN, 'a Secrets Manager secret ARN'));
  return arn ? { kind: 'secret-arn', secretArn: arn } : undefined;
}

/** Keys must not travel in clear text; plain http is only accepted for a provider on this machine. */
const JWKS_URL = SETTING.satisfying('an https URL (http only for localhost)', (value) => {
  const url = URL.parse(value);
  return url?.protocol === 'https:' || (url?.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
});
