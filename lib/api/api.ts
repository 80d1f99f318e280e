import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { API_BASE_PATH, ROUTES, type RouteSpec } from '../../core/routes';
import {
  bindBucketWrite,
  bindSourceAccess,
  bindStateMachine,
  bindTable,
  createFunction,
  type LogLevel,
  lambdaEntry,
} from '../base-function';
import type { DeploymentConfig } from '../config';
import { STAGING_PREFIX } from '../media-bucket';
import { ApiAuthorizer } from './authorizer';
import { addGatewayResponses } from './gateway-responses';

export interface ApiProps {
  readonly table: dynamodb.ITableV2 | dynamodb.ITable;
  readonly bucket: s3.IBucket;
  readonly addMediaStateMachine: sfn.IStateMachine;
  readonly reindexStateMachine: sfn.IStateMachine;
  readonly config: DeploymentConfig;
  /** @default 'INFO' */
  readonly logLevel?: LogLevel;
}

/** Stage of the deployed API; clients call `<invoke url>/api/v1/...` (the CfnOutput `ApiUrl`). */
const STAGE_NAME = 'prod';

/**
 * The REST API of API.md: every route under /api/v1, one Lambda per route, all behind
 * the JWT REQUEST authorizer. Multipart bodies arrive base64-encoded (binary media
 * type). The stage logs access in JSON, traces with X-Ray and is throttled.
 */
export class Api extends Construct {
  readonly restApi: apigateway.RestApi;
  readonly authorizer: ApiAuthorizer;
  readonly accessLogGroup: logs.LogGroup;
  /** Route functions by route id (ROUTES[].id). */
  readonly functions: Readonly<Record<string, LambdaFunction>>;
  /** Route methods by route id. */
  readonly methods: Readonly<Record<string, apigateway.Method>>;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const { config } = props;

    this.authorizer = new ApiAuthorizer(this, 'Authorizer', {
      auth: config.auth,
      logRetention: config.logRetention,
      logLevel: props.logLevel,
    });

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      retention: config.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.restApi = new apigateway.RestApi(this, 'RestApi', {
      description: 'Add media to indexed visual datasets and re-cluster them (API.md)',
      endpointConfiguration: { types: [apigateway.EndpointType.REGIONAL] },
      binaryMediaTypes: ['multipart/form-data'],
      // Execution logging (ERROR) needs the account-level API Gateway CloudWatch role.
      // Retained on delete: it is a regional account setting other APIs may rely on.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: STAGE_NAME,
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: apigateway.AccessLogFormat.custom(accessLogFormat()),
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        tracingEnabled: true,
        throttlingRateLimit: config.throttleRateLimit,
        throttlingBurstLimit: config.throttleBurstLimit,
      },
      defaultMethodOptions: {
        authorizer: this.authorizer.authorizer,
        authorizationType: apigateway.AuthorizationType.CUSTOM,
      },
    });
    addGatewayResponses(this.restApi, config.maxUploadBytes);

    const base = this.restApi.root.resourceForPath(API_BASE_PATH);
    const functions: Record<string, LambdaFunction> = {};
    const methods: Record<string, apigateway.Method> = {};
    for (const route of ROUTES) {
      const fn = this.routeFunction(route, props);
      methods[route.id] = base
        .resourceForPath(route.path)
        .addMethod(
          route.method,
          new apigateway.LambdaIntegration(fn, { allowTestInvoke: false }),
          route.access === 'public' ? { authorizationType: apigateway.AuthorizationType.NONE } : {},
        );
      functions[route.id] = fn;
    }
    this.functions = functions;
    this.methods = methods;
  }

  private routeFunction(route: RouteSpec, props: ApiProps): LambdaFunction {
    const { config } = props;
    const upload = route.access === 'upload';
    const fn = createFunction(this, route.id, {
      entry: lambdaEntry(route.handler),
      description: `${route.method} /${API_BASE_PATH}/${route.path}`,
      serviceName: route.handler,
      logRetention: config.logRetention,
      logLevel: props.logLevel,
      // Upload routes buffer and decode a multipart body of up to maxUploadBytes, then stage it in S3.
      memorySize: upload ? 1024 : 512,
      // API Gateway gives up after 29 s; a function must end (and clean up) before that.
      timeout: Duration.seconds(upload ? 28 : 10),
      environment:
        route.access === 'public'
          ? {}
          : { ALLOWED_ORIGINS: config.allowedOrigins.join(','), AUTH_COOKIE_NAME: config.auth.cookieName },
    });

    // The health check answers a constant: no table, no bucket, nothing to reveal.
    if (route.access === 'public') return fn;
    if (route.access === 'read') {
      if (route.mediaLinks) bindMediaLinks(fn, props.bucket, config);
      bindTable(fn, props.table, 'read');
      return fn;
    }
    bindTable(fn, props.table, 'readWrite');
    // The per-user quotas (core/operations/usage-quotas.ts) every route that starts an operation checks.
    fn.addEnvironment('MAX_DATASETS_PER_USER', String(config.maxDatasetsPerUser));
    fn.addEnvironment('MAX_ACTIVE_OPERATIONS_PER_USER', String(config.maxActiveOperationsPerUser));
    if (route.access === 'reindex') {
      bindStateMachine(fn, props.reindexStateMachine, 'REINDEX_STATE_MACHINE_ARN');
      return fn;
    }
    bindBucketWrite(fn, props.bucket, STAGING_PREFIX);
    bindStateMachine(fn, props.addMediaStateMachine, 'ADD_MEDIA_STATE_MACHINE_ARN');
    fn.addEnvironment('ADD_MEDIA_ENABLED', String(config.addMediaEnabled));
    bindSourceAccess(fn, config);
    fn.addEnvironment('MAX_UPLOAD_BYTES', String(config.maxUploadBytes));
    if (config.defaultEmbeddingConfig) {
      fn.addEnvironment('DEFAULT_EMBEDDING_CONFIG', JSON.stringify(config.defaultEmbeddingConfig));
    }
    // Stored in the embedding config of every dataset this deployment indexes for the first time.
    fn.addEnvironment('SIMILARITY_THRESHOLD', String(config.similarityThreshold));
    return fn;
  }
}

/** The media objects a media item's links open (core/operations/media-links.ts), under every batch of every dataset. */
export const MEDIA_LINK_KEYS = ['datasets/*/batches/*/thumbnails/*', 'datasets/*/batches/*/media/*'] as const;

/**
 * What presigning a media item's links needs: s3:GetObject (nothing else) on the thumbnails and the stored media of our
 * bucket and on the configured source buckets, since a presigned URL carries exactly the signer's permissions.
 */
function bindMediaLinks(fn: LambdaFunction, bucket: s3.IBucket, config: DeploymentConfig): void {
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [
        ...MEDIA_LINK_KEYS.map((pattern) => bucket.arnForObjects(pattern)),
        ...config.sourceBucketNames.map((name) => `arn:${Aws.PARTITION}:s3:::${name}/*`),
      ],
    }),
  );
  bucket.encryptionKey?.grantDecrypt(fn);
  fn.addEnvironment('BUCKET_NAME', bucket.bucketName);
  fn.addEnvironment('SOURCE_BUCKET_NAMES', config.sourceBucketNames.join(','));
}

/** One JSON object per request (the format AWS documents for JSON access logs). */
function accessLogFormat(): string {
  return JSON.stringify({
    requestId: '$context.requestId',
    extendedRequestId: '$context.extendedRequestId',
    requestTime: '$context.requestTime',
    ip: '$context.identity.sourceIp',
    httpMethod: '$context.httpMethod',
    resourcePath: '$context.resourcePath',
    path: '$context.path',
    protocol: '$context.protocol',
    status: '$context.status',
    responseLength: '$context.responseLength',
    responseLatency: '$context.responseLatency',
    principalId: '$context.authorizer.principalId',
    authorizerStatus: '$context.authorizer.status',
    authorizerLatency: '$context.authorizer.latency',
    integrationStatus: '$context.integration.status',
    integrationLatency: '$context.integration.latency',
    errorType: '$context.error.responseType',
    errorMessage: '$context.error.message',
    xrayTraceId: '$context.xrayTraceId',
  });
}
