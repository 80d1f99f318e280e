import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';

export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

const REPO_ROOT = join(import.meta.dirname, '..', '..');
const modules = new Map<string, Promise<LambdaHandler>>();

/**
 * The `handler` export of lambdas/{name}/handler.ts, imported once like a warm Lambda container. Import it only after the
 * environment is set: handlers read their configuration at module scope.
 */
export function loadLambdaHandler(name: string): Promise<LambdaHandler> {
  let loaded = modules.get(name);
  if (!loaded) {
    const file = join(REPO_ROOT, 'lambdas', name, 'handler.ts');
    loaded = import(pathToFileURL(file).href).then((module: { handler?: unknown }) => {
      if (typeof module.handler !== 'function') throw new Error(`${file} does not export a handler function`);
      return module.handler as LambdaHandler;
    });
    modules.set(name, loaded);
  }
  return loaded;
}

/** The Lambda context the handlers get locally: names and a deadline like the function's timeout. */
export function lambdaContext(functionName: string, requestId: string, timeoutMs = 900_000): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION ?? 'us-east-1'}:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
