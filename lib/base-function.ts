import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, Aws, DockerImage, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { type BuildOptions, buildSync } from 'esbuild';

/** Repository root: entry paths and the lock file are resolved from here, whatever the cwd. */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Entry file of a handler under lambdas/, e.g. lambdaEntry('add-media') -> <repo>/lambdas/add-media/handler.ts. */
export function lambdaEntry(name: string): string {
  return `${REPO_ROOT}lambdas/${name}/handler.ts`;
}

/**
 * Native or very large modules that only the workers use. A Lambda never loads them;
 * if a shared module imports one, it stays an unresolved import instead of dragging a
 * native binary (that esbuild cannot bundle) into an API function.
 */
export const WORKER_ONLY_MODULES = ['sharp', 'onnxruntime-node'] as const;

/**
 * The Lambda bundles' AWS credentials come from the environment only (core/aws/lambda-credentials.ts replaces the SDK's
 * default provider chain): about 130 KiB less to parse and a quarter less import CPU per cold start (bench/README.md
 * "Cold start").
 */
const CREDENTIAL_PROVIDER_ALIAS = {
  '@aws-sdk/credential-provider-node': `${REPO_ROOT}core/aws/lambda-credentials.ts`,
} as const;

/** esbuild target matching the runtime below. */
const BUNDLE_TARGET = 'node24';

/** ESM output still meets CommonJS dependencies that call require(); give them one. */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/**
 * How every Lambda asset is bundled (also by test/synth/bundles.test.ts and bench/cold-start.ts): minified ESM with
 * the SDK bundled (the runtime's lags the lock file and was measured 2–3× slower to import), and split: what a handler
 * imports with `await import()` (the secret's client, upload sniffers, archive readers, manifest parsers) becomes a
 * chunk file beside index.mjs, read only by the requests that need it. Source maps are linked but not switched on:
 * Node reads them only under NODE_OPTIONS=--enable-source-maps, which costs a third more import CPU at every cold start
 * (bench/README.md "Cold start"), so set it on a function only while debugging it.
 */
export function lambdaBuildOptions(entry: string, outdir: string): BuildOptions {
  return {
    entryPoints: { index: entry },
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    chunkNames: 'chunk-[hash]',
    format: 'esm',
    platform: 'node',
    target: BUNDLE_TARGET,
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    minify: true,
    sourcemap: 'linked',
    sourcesContent: false,
    external: [...WORKER_ONLY_MODULES],
    alias: CREDENTIAL_PROVIDER_ALIAS,
    absWorkingDir: REPO_ROOT,
    logLevel: 'warning',
  };
}

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

export interface BaseFunctionProps {
  /** Absolute path of the TypeScript entry file; it must export `handler`. */
  readonly entry: string;
  readonly description: string;
  /** POWERTOOLS_SERVICE_NAME of the function's logs. */
  readonly serviceName: string;
  readonly logRetention: logs.RetentionDays;
  /** @default 'INFO' */
  readonly logLevel?: LogLevel;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default Duration.seconds(10) */
  readonly timeout?: Duration;
  readonly environment?: Readonly<Record<string, string>>;
}

/**
 * The one place Lambda defaults live: Node.js 24 on arm64, minified ESM bundle with source maps, a log group of its
 * own with retention, and a role that starts with nothing but writing to that log group. The `bind*` functions below
 * grant a resource and set the environment variable the handler reads in one call, so a function can never know a
 * resource it may not touch, nor touch one it does not know.
 *
 * No active X-Ray tracing: a traced function shows only its own duration unless every SDK client is wrapped by
 * Powertools Tracer, and that wrapper (aws-xray-sdk-core) measured +127 KB and about +30 ms CPU on each cold import,
 * half the authorizer's budget. API Gateway and Step Functions keep their X-Ray traces (request → function, state by
 * state), and every log line carries the request's correlation id.
 */
export function createFunction(scope: Construct, id: string, props: BaseFunctionProps): lambda.Function {
  // The log group and role are siblings of the function (same ids as ever, so logical ids stay stable).
  const logGroup = new logs.LogGroup(scope, `${id}LogGroup`, {
    retention: props.logRetention,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const role = new iam.Role(scope, `${id}Role`, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: `Execution role of ${props.description}`,
  });
  const fn = new lambda.Function(scope, id, {
    // esbuild runs here, not in Docker; the asset is identified by its output, as NodejsFunction's is.
    code: lambda.Code.fromAsset(REPO_ROOT, {
      assetHashType: AssetHashType.OUTPUT,
      bundling: {
        image: DockerImage.fromRegistry('unused-local-bundling'),
        // CDK caches bundled assets by their options and cannot see into `local`: the entry tells functions apart.
        environment: { LAMBDA_ENTRY: relative(REPO_ROOT, props.entry) },
        local: {
          tryBundle: (outputDir) => {
            buildSync(lambdaBuildOptions(props.entry, outputDir));
            return true;
          },
        },
      },
    }),
    handler: 'index.handler',
    description: props.description,
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: props.memorySize ?? 512,
    timeout: props.timeout ?? Duration.seconds(10),
    logGroup,
    role,
    environment: {
      POWERTOOLS_SERVICE_NAME: props.serviceName,
      LOG_LEVEL: props.logLevel ?? 'INFO',
      ...props.environment,
    },
  });
  logGroup.grantWrite(role);
  Validations.of(fn).acknowledge({
    id: 'Serverless-LambdaTracing',
    reason:
      'Active tracing is off on purpose: without wrapping every SDK client (Powertools Tracer, +30 ms per cold start) a ' +
      "trace shows only the function's duration, which its metrics already give; API Gateway and Step Functions trace.",
  });
  return fn;
}

/** Read-only or read/write access to the table, and TABLE_NAME. */
export function bindTable(
  fn: lambda.Function,
  table: dynamodb.ITableV2 | dynamodb.ITable,
  access: 'read' | 'readWrite',
): void {
  if (access === 'read') table.grantReadData(fn);
  else table.grantReadWriteData(fn);
  fn.addEnvironment('TABLE_NAME', table.tableName);
}

/**
 * Put/delete (no read, no list) under one key prefix of the bucket, and BUCKET_NAME.
 * Multipart uploads need AbortMultipartUpload to clean up after a failed part.
 */
export function bindBucketWrite(fn: lambda.Function, bucket: s3.IBucket, keyPrefix: string): void {
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:DeleteObject'],
      resources: [bucket.arnForObjects(`${keyPrefix}*`)],
    }),
  );
  bucket.encryptionKey?.grantEncryptDecrypt(fn);
  fn.addEnvironment('BUCKET_NAME', bucket.bucketName);
}

/**
 * What reading a customer's `s3_uri` source needs: list/get on the configured source buckets of this account
 * (SOURCE_BUCKET_NAMES) and sts:AssumeRole on the allowed role ARNs (ALLOWED_ASSUME_ROLE_ARNS, with the ExternalId
 * condition when one is configured). Nothing is granted for an empty list.
 */
export function bindSourceAccess(
  fn: lambda.Function,
  source: {
    readonly sourceBucketNames: readonly string[];
    readonly allowedAssumeRoleArns: readonly string[];
    readonly assumeRoleExternalId?: string;
  },
): void {
  if (source.sourceBucketNames.length) {
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: source.sourceBucketNames.map((name) => `arn:${Aws.PARTITION}:s3:::${name}`),
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: source.sourceBucketNames.map((name) => `arn:${Aws.PARTITION}:s3:::${name}/*`),
      }),
    );
  }
  if (source.allowedAssumeRoleArns.length) {
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['sts:AssumeRole', 'sts:SetSourceIdentity'],
        resources: [...source.allowedAssumeRoleArns],
        ...(source.assumeRoleExternalId
          ? { conditions: { StringEquals: { 'sts:ExternalId': source.assumeRoleExternalId } } }
          : {}),
      }),
    );
  }
  fn.addEnvironment('SOURCE_BUCKET_NAMES', source.sourceBucketNames.join(','));
  fn.addEnvironment('ALLOWED_ASSUME_ROLE_ARNS', source.allowedAssumeRoleArns.join(','));
  if (source.assumeRoleExternalId) fn.addEnvironment('ASSUME_ROLE_EXTERNAL_ID', source.assumeRoleExternalId);
}

/** states:StartExecution on this one state machine, and its ARN in `envName`. */
export function bindStateMachine(fn: lambda.Function, stateMachine: sfn.IStateMachine, envName: string): void {
  stateMachine.grantStartExecution(fn);
  fn.addEnvironment(envName, stateMachine.stateMachineArn);
}

/** secretsmanager:GetSecretValue on this one secret, and its ARN in `envName`. */
export function bindSecret(fn: lambda.Function, secret: secretsmanager.ISecret, envName: string): void {
  secret.grantRead(fn);
  fn.addEnvironment(envName, secret.secretArn);
}
