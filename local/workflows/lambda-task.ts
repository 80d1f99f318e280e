import { randomUUID } from 'node:crypto';
import { type LambdaHandler, lambdaContext } from '../lambda/lambda-handlers';
import { type ExecutionScope, TaskError } from './execution-scope';

/** Resolves a function name (or ARN, qualified or not) to the handler that implements it locally. */
export type LambdaResolver = (functionName: string) => Promise<LambdaHandler>;

/** `arn:aws:lambda:region:account:function:name[:qualifier]` or a bare name → `name`. */
function functionNameOf(functionNameOrArn: string): string {
  const arn = /^arn:aws[\w-]*:lambda:[^:]*:[^:]*:function:([^:]+)(?::[^:]+)?$/.exec(functionNameOrArn);
  return arn ? arn[1]! : functionNameOrArn;
}

/**
 * Invokes a pipeline Lambda in this process the way Step Functions does: the payload and the result cross a JSON
 * boundary, and a thrown error surfaces as Error = errorType, Cause = the Lambda runtime's error JSON.
 */
export async function invokeLambda(
  resolve: LambdaResolver,
  functionNameOrArn: string,
  payload: unknown,
  scope: ExecutionScope,
): Promise<unknown> {
  const name = functionNameOf(functionNameOrArn);
  const handler = await resolve(name);
  const requestId = randomUUID();
  try {
    const result = await handler(JSON.parse(JSON.stringify(payload ?? null)), lambdaContext(name, requestId));
    return result === undefined ? null : JSON.parse(JSON.stringify(result));
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    scope.log(`lambda ${name} failed: ${failure.name}: ${failure.message}`);
    throw new TaskError(
      failure.name,
      JSON.stringify({
        errorMessage: failure.message,
        errorType: failure.name,
        requestId,
        stackTrace: (failure.stack ?? '')
          .split('\n')
          .slice(1)
          .map((line) => line.trim()),
      }),
    );
  }
}

/** The `arn:aws:states:::lambda:invoke` result shape: the function's result under `Payload`. */
export function lambdaInvokeResult(payload: unknown) {
  return {
    ExecutedVersion: '$LATEST',
    Payload: payload,
    SdkHttpMetadata: { HttpStatusCode: 200 },
    StatusCode: 200,
  };
}
