import { LocalConfigError, readLocalConfig } from './config';
import { LOCAL_CREDENTIALS } from './environment';
import { startLocalService } from './runtime';
import { devTokenOptions, mintDevToken } from './token';

/** `npm start`: the whole service on this machine (DESIGN.md "Local runtime"); Ctrl-C stops it cleanly. */
async function main(): Promise<void> {
  let config;
  try {
    config = readLocalConfig();
  } catch (error) {
    if (!(error instanceof LocalConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  const log = (message: string) => process.stdout.write(`${new Date().toISOString()} ${message}\n`);
  const service = await startLocalService(config, log);
  const readySeconds = process.uptime().toFixed(1);

  const token = process.env.AUTH_JWT_SECRET ? await mintDevToken(devTokenOptions([], process.env)) : undefined;
  process.stdout.write(
    [
      '',
      `add-media local service ready in ${readySeconds} s (process start to serving)`,
      `  API      ${service.url}/api/v1`,
      `  S3       ${service.s3Endpoint}  bucket ${config.bucketName}, path-style, access key "${LOCAL_CREDENTIALS.accessKeyId}", secret "${LOCAL_CREDENTIALS.secretAccessKey}"`,
      `  data     ${config.dataDir}`,
      ...(service.recovered > 0
        ? [`  ${service.recovered} interrupted operation(s) marked ERROR; add_media / reindex are accepted again`]
        : []),
      ...(token
        ? [
            '  try it (token valid 12 h; more with `npm run token -- --sub <user>`):',
            `    export VL_TOKEN=${token}`,
            `    curl -H "Authorization: Bearer $VL_TOKEN" ${service.url}/api/v1/datasets`,
          ]
        : ['  tokens: issued by the identity provider configured in AUTH_JWKS_URL / AUTH_JWT_SECRET_ARN']),
      '',
      '',
    ].join('\n'),
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      log(`${signal} again: exiting now`);
      process.exit(130);
    }
    stopping = true;
    log(`${signal}: stopping (running operations are stopped and recovered at the next start)`);
    service.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log(`stop failed: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

await main();
