import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayAuthorizerWithContextResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { type AuthorizerContext, toAuthorizerContext } from '../auth/auth-context';
import { authenticateRequest } from '../auth/authenticate-request';
import { allowInvokeOnStage } from '../auth/invoke-policy';
import { NotAuthenticatedError } from '../auth/not-authenticated-error';

const logger = new Logger({ serviceName: 'authorizer' });

/**
 * API Gateway REST REQUEST authorizer. Allows the caller on the whole stage with `{ sub, auth_method }` as context, or
 * throws `Unauthorized`, which API Gateway answers with 401 (mapped to `{"detail": "Not authenticated"}` by the API).
 * A deployment problem (configuration, unreadable secret) is rethrown as is: API Gateway answers 500, and the log says why.
 * Tokens are never logged; only the reason a token was refused.
 */
export async function handler(
  event: APIGatewayRequestAuthorizerEvent,
): Promise<APIGatewayAuthorizerWithContextResult<AuthorizerContext>> {
  try {
    const policyDocument = allowInvokeOnStage(event.methodArn);
    if (!policyDocument) throw new NotAuthenticatedError('methodArn is not an execute-api method ARN');
    const caller = await authenticateRequest(event.multiValueHeaders ?? event.headers);
    return { principalId: caller.sub, policyDocument, context: toAuthorizerContext(caller) };
  } catch (error) {
    if (error instanceof NotAuthenticatedError) {
      logger.info('Request not authenticated', { reason: error.reason });
      throw new Error('Unauthorized');
    }
    logger.error('Authorizer cannot authenticate requests', { error: error as Error });
    throw error;
  }
}
