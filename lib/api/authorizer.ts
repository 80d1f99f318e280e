import { Duration } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { bindSecret, createFunction, type LogLevel, lambdaEntry } from '../base-function';
import type { AuthConfig } from '../config';

export interface ApiAuthorizerProps {
  readonly auth: AuthConfig;
  readonly logRetention: logs.RetentionDays;
  readonly logLevel?: LogLevel;
}

/**
 * The Lambda REQUEST authorizer shared by every method (lambdas/authorizer/handler.ts).
 *
 * Why no identity sources and no result cache: API Gateway checks that EVERY configured
 * identity source is present, non-null and non-empty before it calls a REQUEST
 * authorizer, and answers 401 without calling it otherwise (API Gateway reference,
 * Authorizer.identitySource). Declaring both `Authorization` and `Cookie` would
 * therefore lock out bearer-only clients (CLI, SDK) and cookie-only clients (browsers)
 * alike, and declaring either one locks out the other kind. Identity sources are only
 * required when the result cache is on, so the cache is off (TTL 0) and the property is
 * left out: the authorizer runs on every request, reads the bearer header or the
 * session cookie itself, and a revoked or expired token stops working at once instead
 * of up to one cache TTL later. Cost: one short authorizer invocation per request.
 */
export class ApiAuthorizer extends Construct {
  readonly function: LambdaFunction;
  readonly authorizer: apigateway.RequestAuthorizer;
  /** The HS256 secret, when tokens are verified with one (given or generated). */
  readonly jwtSecret?: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, props: ApiAuthorizerProps) {
    super(scope, id);
    const { auth } = props;

    this.function = createFunction(this, 'Function', {
      entry: lambdaEntry('authorizer'),
      description: 'API Gateway REQUEST authorizer: verifies the bearer or session-cookie JWT',
      serviceName: 'authorizer',
      logRetention: props.logRetention,
      logLevel: props.logLevel,
      memorySize: 256,
      timeout: Duration.seconds(10),
      environment: {
        AUTH_ISSUER: auth.issuer,
        AUTH_AUDIENCE: auth.audience,
        AUTH_COOKIE_NAME: auth.cookieName,
      },
    });

    switch (auth.verifier.kind) {
      case 'jwks':
        this.function.addEnvironment('AUTH_JWKS_URL', auth.verifier.jwksUrl);
        break;
      case 'secret':
        this.jwtSecret = secretsmanager.Secret.fromSecretCompleteArn(this, 'JwtSecret', auth.verifier.secretArn);
        bindSecret(this.function, this.jwtSecret, 'AUTH_JWT_SECRET_ARN');
        break;
      case 'generated-secret': {
        const secret = new secretsmanager.Secret(this, 'GeneratedJwtSecret', {
          description:
            'HS256 secret signing the API tokens of this deployment (generated because neither authJwksUrl nor authJwtSecretArn was set)',
          generateSecretString: { passwordLength: 64, excludePunctuation: true },
        });
        this.jwtSecret = secret;
        bindSecret(this.function, secret, 'AUTH_JWT_SECRET_ARN');
        break;
      }
    }

    this.authorizer = new apigateway.RequestAuthorizer(this, 'RequestAuthorizer', {
      handler: this.function,
      identitySources: [],
      resultsCacheTtl: Duration.seconds(0),
    });
    // With caching off the property is optional; leaving it out (rather than "") keeps API Gateway from validating any source.
    (this.authorizer.node.defaultChild as apigateway.CfnAuthorizer).addPropertyDeletionOverride('IdentitySource');
  }
}
