import { type FromEnvInit, fromEnv } from '@aws-sdk/credential-provider-env';
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';

/**
 * Stands in for `@aws-sdk/credential-provider-node` in the Lambda bundles only (lib/base-function.ts aliases it there):
 * Lambda puts the execution role's credentials in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, so the
 * default chain's SSO, INI, process, web-identity and IMDS providers (and the STS/SSO clients they bundle) are dead
 * weight that every cold start parses: bench/README.md "Cold start". Local mode, the tests and the workers do not use
 * these bundles and keep the SDK's full default chain.
 */
export const defaultProvider = (init: FromEnvInit = {}): AwsCredentialIdentityProvider => fromEnv(init);
