import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';

/**
 * Development credentials of the local runtime. The secret is public (it is in this file): it only protects a server on
 * your own machine. Any real deployment sets its own AUTH_JWT_SECRET / AUTH_JWT_SECRET_ARN or AUTH_JWKS_URL.
 */
export const LOCAL_AUTH_DEFAULTS = {
  secret: 'add-media-local-development-secret-not-for-production',
  issuer: 'add-media-local',
  audience: 'add-media-api',
} as const;

export const DEFAULT_SUBJECT = 'local-user';
/** A working day, so VL_TOKEN set in the morning lasts. */
export const DEFAULT_TTL = '12h';

export interface DevTokenOptions {
  readonly sub: string;
  /** Seconds, or a jose time span such as `30m`, `12h`, `7d`. */
  readonly ttl: string;
  readonly issuer: string;
  readonly audience: string;
  readonly secret: string;
}

/** An HS256 token the local runtime accepts with the same settings (iat, exp, iss, aud, sub). */
export function mintDevToken(options: DevTokenOptions): Promise<string> {
  const ttl = /^\d+$/.test(options.ttl) ? `${options.ttl}s` : options.ttl;
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.sub)
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setIssuedAt()
    .setExpirationTime(ttl)
    .sign(new TextEncoder().encode(options.secret));
}

/** The settings of a `npm run token` call: flags, then the server's own AUTH_* variables, then the defaults. */
export function devTokenOptions(args: readonly string[], env: NodeJS.ProcessEnv): DevTokenOptions {
  const { values } = parseArgs({
    args: [...args],
    options: {
      sub: { type: 'string' },
      ttl: { type: 'string' },
      iss: { type: 'string' },
      aud: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const sub = values.sub ?? DEFAULT_SUBJECT;
  if (sub.trim() === '') throw new Error('--sub must not be empty');
  return {
    sub,
    ttl: values.ttl ?? DEFAULT_TTL,
    issuer: values.iss ?? env.AUTH_ISSUER ?? LOCAL_AUTH_DEFAULTS.issuer,
    audience: values.aud ?? env.AUTH_AUDIENCE?.split(',')[0]?.trim() ?? LOCAL_AUTH_DEFAULTS.audience,
    secret: env.AUTH_JWT_SECRET ?? LOCAL_AUTH_DEFAULTS.secret,
  };
}

const USAGE = 'usage: npm run token -- [--sub <user>] [--ttl <seconds|30m|12h|7d>] [--aud <audience>] [--iss <issuer>]';

async function main(): Promise<void> {
  try {
    const token = await mintDevToken(devTokenOptions(process.argv.slice(2), process.env));
    process.stdout.write(`${token}\n`);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    process.exitCode = 2;
  }
}

const invokedDirectly =
  process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) await main();
