import type { PolicyDocument } from 'aws-lambda';

/** methodArn: arn:<partition>:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/<resource path> */
const METHOD_ARN = /^(arn:aws[a-z-]*:execute-api:[a-z0-9-]+:\d{12}:[A-Za-z0-9]+)\/([^/]+)\/.+$/;

/**
 * Allows execute-api:Invoke on every method and path of the stage the request came through (`<apiId>/<stage>/*\/*`),
 * so that API Gateway can reuse a cached decision for any route; handlers still decide per dataset and CSRF per method.
 * Returns undefined when `methodArn` is not an execute-api method ARN.
 */
export function allowInvokeOnStage(methodArn: string): PolicyDocument | undefined {
  return invokeOnStage(methodArn, 'Allow');
}

/** The same scope, denied: API Gateway answers its ACCESS_DENIED gateway response, with the authorizer's context. */
export function denyInvokeOnStage(methodArn: string): PolicyDocument | undefined {
  return invokeOnStage(methodArn, 'Deny');
}

function invokeOnStage(methodArn: string, effect: 'Allow' | 'Deny'): PolicyDocument | undefined {
  const match = METHOD_ARN.exec(methodArn);
  if (!match) return undefined;
  const [, apiArn, stage] = match;
  return {
    Version: '2012-10-17',
    Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: `${apiArn}/${stage}/*/*` }],
  };
}
