import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayAuthorizerWithContextResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { type AuthorizerContext, toAuthorizerContext } from '../auth/auth-context';
import { authenticateRequest } from '../auth/authenticate-request';
import { formatChallenge } from '../auth/bearer-challenge';
import { allowInvokeOnStage, denyInvokeOnStage } from '../auth/invoke-policy';
import { NotAuthenticatedError } from '../auth/not-authenticated-error';

const logger = new Logger({ serviceName: 'authorizer' });

interface DeniedContext {
  readonly www_authenticate: string;
  readonly [key: string]: string;
}

/**
 * API Gateway REST REQUEST authorizer. Allows the caller on the whole stage with `{ sub, auth_method }` as context.
 * Without credentials it throws `Unauthorized` (API Gateway: 401, `WWW-Authenticate: Bearer`); with credentials it
 * refuses, it denies with the RFC 6750 challenge as context `www_authenticate`, which the ACCESS_DENIED gateway
 * response (lib/api/gateway-responses.ts) puts in the 401's WWW-Authenticate. The body is `Not authenticated` either way.
 * A deployment problem (configuration, unreadable secret) is rethrown as is: API Gateway answers 500, and the log says why.
 * Tokens are never logged; only the reason a token was refused.
 */
export async function handler(
  event: APIGatewayRequestAuthorizerEvent,
): Promise<APIGatewayAuthorizerWithContextResult<AuthorizerContext | DeniedContext>> {
  try {
    const policyDocument = allowInvokeOnStage(event.methodArn);
    if (!policyDocument) throw new NotAuthenticatedError('methodArn is not an execute-api method ARN');
    const caller = await authenticateRequest(event.multiValueHeaders ?? event.headers);
    return { principalId: caller.sub, policyDocument, context: toAuthorizerContext(caller) };
  } catch (error) {
    if (error instanceof NotAuthenticatedError) {
      logger.info('Request not authenticated', { reason: error.reason });
      const denied = error.challenge.error ? denyInvokeOnStage(event.methodArn) : undefined;
      if (!denied) throw new Error('Unauthorized');
      return {
        principalId: 'unauthenticated',
        policyDocument: denied,
        context: { www_authenticate: formatChallenge(error.challenge) },
      };
    }
    logger.error('Authorizer cannot authenticate requests', { error: error as Error });
    throw error;
  }
}
