import * as apigateway from 'aws-cdk-lib/aws-apigateway';

const JSON_TYPE = 'application/json';

function detail(message: string): Record<string, string> {
  return { [JSON_TYPE]: JSON.stringify({ detail: message }) };
}

/**
 * Answers produced by API Gateway itself (before or instead of a handler) keep the
 * API's error shape, `{"detail": ...}` (API.md).
 */
export function addGatewayResponses(restApi: apigateway.RestApi, maxUploadBytes: number): void {
  // The authorizer throws "Unauthorized" for a missing or invalid token.
  restApi.addGatewayResponse('Unauthorized', {
    type: apigateway.ResponseType.UNAUTHORIZED,
    statusCode: '401',
    responseHeaders: { 'WWW-Authenticate': "'Bearer'" },
    templates: detail('Not authenticated'),
  });
  // Only the authorizer's policy can deny at the gateway: it denies credentials it refused, with the RFC 6750
  // challenge (error="invalid_token", error_description=...) in its context.
  restApi.addGatewayResponse('AccessDenied', {
    type: apigateway.ResponseType.ACCESS_DENIED,
    statusCode: '401',
    responseHeaders: { 'WWW-Authenticate': 'context.authorizer.www_authenticate' },
    templates: detail('Not authenticated'),
  });
  // API Gateway answers an unknown path or method with 403 "Missing Authentication Token"; it is a 404.
  restApi.addGatewayResponse('MissingRoute', {
    type: apigateway.ResponseType.MISSING_AUTHENTICATION_TOKEN,
    statusCode: '404',
    templates: detail('Not Found'),
  });
  restApi.addGatewayResponse('RequestTooLarge', {
    type: apigateway.ResponseType.REQUEST_TOO_LARGE,
    statusCode: '413',
    templates: detail(
      `Request body too large: direct uploads through the API are limited to ${maxUploadBytes} bytes; ` +
        'upload the media to S3 and pass its s3_uri instead',
    ),
  });
  restApi.addGatewayResponse('AuthorizerFailure', {
    type: apigateway.ResponseType.AUTHORIZER_FAILURE,
    statusCode: '500',
    templates: detail('Authentication is temporarily unavailable'),
  });
  // Everything else (throttling, integration errors, ...) keeps its status and message.
  for (const [id, type] of [
    ['Default4xx', apigateway.ResponseType.DEFAULT_4XX],
    ['Default5xx', apigateway.ResponseType.DEFAULT_5XX],
  ] as const) {
    restApi.addGatewayResponse(id, {
      type,
      templates: { [JSON_TYPE]: '{"detail": $context.error.messageString}' },
    });
  }
}
