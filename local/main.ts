import { LocalConfigError, readLocalConfig } from './config';
import { LOCAL_CREDENTIALS } from './environment';
import { PreflightError, preflight } from './preflight/preflight';
import { startLocalService } from './runtime';
import { createStopSignalHandler } from './stop-signals';
import { DEFAULT_SUBJECT, devTokenOptions, mintDevToken } from './token';

/** `npm start`: the whole service on this machine (DESIGN.md "Local runtime"); Ctrl-C stops it cleanly. */
async function main(): Promise<void> {
  const refuse = (lines: readonly string[], code: number): never => {
    process.stderr.write(`add-media local service cannot start:\n${lines.map((line) => `  - ${line}`).join('\n')}\n`);
    process.exit(code);
  };
  let config;
  try {
    config = readLocalConfig();
  } catch (error) {
    if (!(error instanceof LocalConfigError)) throw error;
    return refuse([error.message], 2);
  }
  let checked;
  try {
    checked = await preflight(config, process.env);
  } catch (error) {
    if (!(error instanceof PreflightError)) throw error;
    return refuse(error.problems, 2);
  }
  const log = (message: string) => process.stdout.write(`${new Date().toISOString()} ${message}\n`);
  for (const warning of checked.warnings) process.stderr.write(`warning: ${warning}\n`);
  let service;
  try {
    service = await startLocalService(config, log);
  } catch (error) {
    checked.lock.release();
    return refuse([(error as Error).message], 1);
  }
  const readySeconds = process.uptime().toFixed(1);

  const jwks = Boolean(process.env.AUTH_JWKS_URL?.trim());
  const token = config.authMode === 'jwt' && !jwks ? await mintDevToken(devTokenOptions([], process.env)) : undefined;
  process.stdout.write(
    [
      '',
      `add-media local service ready in ${readySeconds} s (process start to serving)`,
      `  API      ${service.url}/api/v1`,
      `  gallery  ${service.url}/${config.authMode === 'none' ? '' : token ? '  (sign in with the token below)' : '  (sign in with a token of your identity provider)'}`,
      `  S3       ${service.s3Endpoint}  bucket ${config.bucketName}, path-style, access key "${LOCAL_CREDENTIALS.accessKeyId}", secret "${LOCAL_CREDENTIALS.secretAccessKey}"`,
      `  data     ${config.dataDir}`,
      ...(service.recovered > 0
        ? [`  ${service.recovered} interrupted operation(s) marked ERROR; add_media / reindex are accepted again`]
        : []),
      ...(config.authMode === 'none'
        ? [
            `  AUTH_MODE=none: every request acts as ${DEFAULT_SUBJECT}, no token needed:`,
            `    curl ${service.url}/api/v1/datasets`,
          ]
        : token
          ? [
              `  try it (token for ${DEFAULT_SUBJECT}, valid 12 h; the same as \`npm run token\`, which the CLI uses too):`,
              `    export VL_TOKEN=${token}`,
              `    curl -H "Authorization: Bearer $VL_TOKEN" ${service.url}/api/v1/datasets`,
            ]
          : ['  tokens: issued by the identity provider of AUTH_JWKS_URL']),
      '',
      '',
    ].join('\n'),
  );

  const stop = createStopSignalHandler({
    stop: async () => {
      try {
        await service.stop();
      } finally {
        checked.lock.release();
      }
    },
    log,
    exit: (code) => process.exit(code),
  });
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

await main();
