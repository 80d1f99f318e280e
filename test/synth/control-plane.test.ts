import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_EMBEDDING_CONFIG } from '../../core/datasets/embedding-config';
import { API_BASE_PATH, ROUTES } from '../../core/routes';
import { createTableInput } from '../../core/store/table-schema';
import { Api } from '../../lib/api/api';
import { type DeploymentConfig, loadDeploymentConfig } from '../../lib/config';
import { DataTable } from '../../lib/data-table';
import { MediaBucket } from '../../lib/media-bucket';
import { CLIP_LIKE_EMBEDDING, logicalIdOf, resourcesOfType, TEST_WORKER_MODEL, testApp } from './synth-app';

const ADD_MEDIA_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:add-media-double';
const REINDEX_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:reindex-double';

/** The control plane with a stand-in for the pipeline (two imported state machines): the API must not need more. */
class ControlPlaneStack extends Stack {
  readonly dataTable: DataTable;
  readonly mediaBucket: MediaBucket;
  readonly api: Api;

  constructor(scope: Construct, config: DeploymentConfig) {
    super(scope, 'ControlPlane');
    this.dataTable = new DataTable(this, 'DataTable');
    this.mediaBucket = new MediaBucket(this, 'MediaBucket', {
      stagingExpirationDays: config.stagingExpirationDays,
      accessLogRetention: config.logRetention,
    });
    this.api = new Api(this, 'Api', {
      table: this.dataTable.table,
      bucket: this.mediaBucket.bucket,
      addMediaStateMachine: sfn.StateMachine.fromStateMachineArn(this, 'AddMediaDouble', ADD_MEDIA_ARN),
      reindexStateMachine: sfn.StateMachine.fromStateMachineArn(this, 'ReindexDouble', REINDEX_ARN),
      config,
    });
  }
}

interface Built {
  readonly stack: ControlPlaneStack;
  readonly template: Template;
}

function build(context: Record<string, unknown> = {}): Built {
  const app = testApp(context);
  const stack = new ControlPlaneStack(app, loadDeploymentConfig(app));
  return { stack, template: Template.fromStack(stack) };
}

type Json = Record<string, any>;

function properties(template: Template, logicalId: string): Json {
  return (template.toJSON().Resources[logicalId] as Json).Properties as Json;
}

function environment(built: Built, fn: LambdaFunction): Record<string, unknown> {
  return properties(built.template, logicalIdOf(fn)).Environment.Variables;
}

interface Statement {
  readonly actions: string[];
  readonly resources: unknown[];
}

/** Every statement of every policy attached to the function's role. */
function statements(built: Built, fn: LambdaFunction): Statement[] {
  const roleRef = { Ref: logicalIdOf(fn.role!) };
  return Object.values(resourcesOfType(built.template, 'AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties!.Roles).includes(JSON.stringify(roleRef)))
    .flatMap((policy) => (policy.Properties!.PolicyDocument as Json).Statement as Json[])
    .map((statement) => ({ actions: [statement.Action].flat().sort(), resources: [statement.Resource].flat() }));
}

function actions(built: Built, fn: LambdaFunction): string[] {
  return statements(built, fn).flatMap((statement) => statement.actions);
}

/** "GET /api/v1/datasets" for every method of the API, rebuilt from the Resource parent chain. */
function methodRoutes(template: Template): string[] {
  const resources = resourcesOfType(template, 'AWS::ApiGateway::Resource');
  const pathOf = (ref: Json): string => {
    if (!('Ref' in ref)) return '';
    const resource = resources[ref.Ref as string]!.Properties!;
    return `${pathOf(resource.ParentId as Json)}/${resource.PathPart as string}`;
  };
  return Object.values(resourcesOfType(template, 'AWS::ApiGateway::Method')).map(
    (method) => `${method.Properties!.HttpMethod as string} ${pathOf(method.Properties!.ResourceId as Json)}`,
  );
}

const functionOf = (built: Built, routeId: string): LambdaFunction => built.stack.api.functions[routeId]!;
const routesWith = (access: string) => ROUTES.filter((route) => route.access === access).map((route) => route.id);

describe('control plane (API, table, bucket) with a pipeline stand-in', () => {
  let built: Built;
  beforeAll(() => {
    built = build();
  });

  describe('DataTable', () => {
    it('has the key schema, GSI and TTL of core/store/table-schema.ts', () => {
      const schema = createTableInput('unused');
      built.template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        KeySchema: schema.KeySchema,
        AttributeDefinitions: Match.arrayEquals(schema.AttributeDefinitions),
        GlobalSecondaryIndexes: [
          {
            IndexName: 'gsi1',
            KeySchema: schema.GlobalSecondaryIndexes[0]!.KeySchema,
            Projection: { ProjectionType: 'ALL' },
          },
        ],
        TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true },
        BillingMode: 'PAY_PER_REQUEST',
      });
    });

    it('is retained, deletion-protected, point-in-time recoverable and KMS-encrypted', () => {
      built.template.hasResource('AWS::DynamoDB::GlobalTable', {
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: Match.objectLike({
          SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
          Replicas: [
            Match.objectLike({
              PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
              DeletionProtectionEnabled: true,
            }),
          ],
        }),
      });
    });
  });

  describe('MediaBucket', () => {
    const mediaBucketId = () => logicalIdOf(built.stack.mediaBucket.bucket);

    it('blocks public access, encrypts, versions and logs access to the separate log bucket', () => {
      expect(properties(built.template, mediaBucketId())).toMatchObject({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: { DestinationBucketName: { Ref: logicalIdOf(built.stack.mediaBucket.accessLogsBucket) } },
      });
      built.template.resourceCountIs('AWS::S3::Bucket', 2);
      for (const bucket of Object.values(built.template.findResources('AWS::S3::Bucket'))) {
        expect(bucket).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      }
    });

    it('expires staging/ after stagingExpirationDays and aborts stale multipart uploads', () => {
      const rules = properties(built.template, mediaBucketId()).LifecycleConfiguration.Rules as Json[];
      expect(rules).toContainEqual(
        expect.objectContaining({
          Prefix: 'staging/',
          ExpirationInDays: 3,
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          Status: 'Enabled',
        }),
      );
      const custom = build({ stagingExpirationDays: '7' });
      const customRules = properties(custom.template, logicalIdOf(custom.stack.mediaBucket.bucket))
        .LifecycleConfiguration.Rules;
      expect(customRules).toContainEqual(expect.objectContaining({ Prefix: 'staging/', ExpirationInDays: 7 }));
    });

    it('refuses plain HTTP and TLS below 1.2 on both buckets', () => {
      const policies = Object.values(resourcesOfType(built.template, 'AWS::S3::BucketPolicy'));
      expect(policies.map((policy) => JSON.stringify(policy.Properties!.Bucket)).sort()).toEqual(
        [mediaBucketId(), logicalIdOf(built.stack.mediaBucket.accessLogsBucket)]
          .map((id) => JSON.stringify({ Ref: id }))
          .sort(),
      );
      for (const policy of policies) {
        const denies = ((policy.Properties!.PolicyDocument as Json).Statement as Json[]).filter(
          (s) => s.Effect === 'Deny',
        );
        expect(denies).toContainEqual(
          expect.objectContaining({ Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        );
        expect(denies).toContainEqual(
          expect.objectContaining({ Action: 's3:*', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
        );
      }
    });
  });

  describe('REST API', () => {
    it('serves exactly the routes of API.md under /api/v1', () => {
      expect(methodRoutes(built.template).sort()).toEqual(
        [
          'GET /api/v1/datasets',
          'POST /api/v1/datasets',
          'GET /api/v1/dataset/{dataset_id}',
          'POST /api/v1/dataset/{dataset_id}/add_media',
          'POST /api/v1/dataset/{dataset_id}/reindex',
          'GET /api/v1/dataset/{dataset_id}/media',
          'GET /api/v1/dataset/{dataset_id}/clusters',
          'GET /api/v1/dataset/{dataset_id}/clusters/{cluster_id}',
          'GET /api/v1/dataset/{dataset_id}/operations',
          'GET /api/v1/dataset/{dataset_id}/operations/{operation_id}',
          'GET /api/v1/health',
          'GET /api/v1/openapi.json',
        ].sort(),
      );
    });

    it('puts every method but the health check and the OpenAPI document behind the REQUEST authorizer and proxies it to its own function', () => {
      const authorizerId = logicalIdOf(built.stack.api.authorizer.authorizer);
      const methods = resourcesOfType(built.template, 'AWS::ApiGateway::Method');
      expect(Object.keys(methods)).toHaveLength(ROUTES.length);
      for (const route of ROUTES) {
        const method = properties(built.template, logicalIdOf(built.stack.api.methods[route.id]!));
        if (route.access === 'public') {
          expect(method.AuthorizationType, route.id).toBe('NONE');
          expect(method, route.id).not.toHaveProperty('AuthorizerId');
        } else {
          expect(method, route.id).toMatchObject({ AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: authorizerId } });
        }
      }
      for (const route of ROUTES) {
        const fnId = logicalIdOf(functionOf(built, route.id));
        const method = Object.values(methods).find((m) =>
          JSON.stringify(m.Properties!.Integration).includes(`"${fnId}"`),
        );
        expect(method?.Properties, `${route.id} has a method`).toMatchObject({
          HttpMethod: route.method,
          Integration: { Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' },
        });
        expect(methodRoutes(built.template)).toContain(`${route.method} /${API_BASE_PATH}/${route.path}`);
      }
    });

    it('runs the authorizer on every request: no identity source, no result cache', () => {
      built.template.resourceCountIs('AWS::ApiGateway::Authorizer', 1);
      built.template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
        Type: 'REQUEST',
        AuthorizerResultTtlInSeconds: 0,
        IdentitySource: Match.absent(),
        AuthorizerUri: Match.objectLike({
          'Fn::Join': Match.arrayWith([
            Match.arrayWith([{ 'Fn::GetAtt': [logicalIdOf(built.stack.api.authorizer.function), 'Arn'] }]),
          ]),
        }),
      });
    });

    it('takes multipart bodies as binary and logs, traces and throttles the stage', () => {
      built.template.hasResourceProperties('AWS::ApiGateway::RestApi', { BinaryMediaTypes: ['multipart/form-data'] });
      const stage = Object.values(resourcesOfType(built.template, 'AWS::ApiGateway::Stage'))[0]!.Properties!;
      expect(stage).toMatchObject({
        TracingEnabled: true,
        MethodSettings: [
          expect.objectContaining({
            HttpMethod: '*',
            ResourcePath: '/*',
            LoggingLevel: 'ERROR',
            DataTraceEnabled: false,
            ThrottlingRateLimit: 50,
            ThrottlingBurstLimit: 100,
          }),
        ],
      });
      expect(JSON.stringify((stage.AccessLogSetting as Json).DestinationArn)).toContain(
        JSON.stringify({ Ref: logicalIdOf(built.stack.api.accessLogGroup) }),
      );
      const format = JSON.parse((stage.AccessLogSetting as Json).Format as string);
      expect(format).toMatchObject({
        requestId: '$context.requestId',
        status: '$context.status',
        principalId: '$context.authorizer.principalId',
      });

      const throttled = build({ throttleRateLimit: '7.5', throttleBurstLimit: '15' });
      throttled.template.hasResourceProperties('AWS::ApiGateway::Stage', {
        MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 7.5, ThrottlingBurstLimit: 15 })],
      });
    });

    it('answers gateway errors as {"detail": ...}: 401 Not authenticated, 413 pointing to s3_uri, 404 for unknown routes', () => {
      const responses = Object.values(resourcesOfType(built.template, 'AWS::ApiGateway::GatewayResponse')).map(
        (r) => r.Properties!,
      );
      const byType = (type: string) => responses.find((r) => r.ResponseType === type) as Json;
      for (const type of ['UNAUTHORIZED', 'ACCESS_DENIED']) {
        expect(byType(type)).toMatchObject({ StatusCode: '401' });
        expect(JSON.parse(byType(type).ResponseTemplates['application/json'])).toEqual({ detail: 'Not authenticated' });
      }
      expect(byType('REQUEST_TOO_LARGE')).toMatchObject({ StatusCode: '413' });
      const tooLarge = JSON.parse(byType('REQUEST_TOO_LARGE').ResponseTemplates['application/json']).detail;
      expect(tooLarge).toContain('s3_uri');
      expect(tooLarge).toContain(String(4 * 1024 * 1024));
      expect(byType('MISSING_AUTHENTICATION_TOKEN')).toMatchObject({ StatusCode: '404' });
      for (const type of ['DEFAULT_4XX', 'DEFAULT_5XX']) {
        expect(byType(type).ResponseTemplates['application/json']).toBe('{"detail": $context.error.messageString}');
      }
    });

    // Gateway response headers take parameter-mapping expressions: a static value in single quotes, or `context.<name>`
    // without `$`, the name a supported context variable; `authorizer.<key>` is the Lambda authorizer's context entry,
    // whose key may hold no special character but `_` (docs.aws.amazon.com/apigateway/latest/developerguide/
    // rest-api-parameter-mapping-sources.html and api-gateway-mapping-template-reference.html). A thrown "Unauthorized"
    // carries no context, hence the static challenge; the authorizer's Deny carries `www_authenticate` (test/auth).
    it('maps WWW-Authenticate as API Gateway documents it: static for UNAUTHORIZED, the Deny context for ACCESS_DENIED', () => {
      const responses = Object.values(resourcesOfType(built.template, 'AWS::ApiGateway::GatewayResponse')).map(
        (r) => r.Properties as Json,
      );
      const headerOf = (type: string) =>
        responses.find((r) => r.ResponseType === type)?.ResponseParameters as Record<string, string> | undefined;
      expect(headerOf('UNAUTHORIZED')).toEqual({ 'gatewayresponse.header.WWW-Authenticate': "'Bearer'" });
      expect(headerOf('ACCESS_DENIED')).toEqual({
        'gatewayresponse.header.WWW-Authenticate': 'context.authorizer.www_authenticate',
      });
    });
  });

  describe('functions', () => {
    it('all run Node.js 22+ on arm64 without active tracing, with a log group of the configured retention', () => {
      const functions = Object.values(resourcesOfType(built.template, 'AWS::Lambda::Function'));
      expect(functions).toHaveLength(ROUTES.length + 1);
      for (const fn of functions) {
        expect(fn.Properties!.Runtime).toMatch(/^nodejs(2[2-9]|[3-9]\d)\.x$/);
        expect(fn.Properties).toMatchObject({
          Architectures: ['arm64'],
          Handler: 'index.handler',
        });
        expect(fn.Properties!.TracingConfig).toBeUndefined();
        const logGroupId = ((fn.Properties!.LoggingConfig as Json).LogGroup as Json).Ref as string;
        expect(properties(built.template, logGroupId).RetentionInDays).toBe(30);
      }
      const retained = build({ logRetentionDays: '90' });
      for (const logGroup of Object.values(resourcesOfType(retained.template, 'AWS::Logs::LogGroup'))) {
        expect(logGroup.Properties!.RetentionInDays).toBe(90);
      }
    });

    it('give every route function its table, service name, log level, CSRF origins and cookie name', () => {
      const tableRef = { Ref: logicalIdOf(built.stack.dataTable.table) };
      const origins = build({
        allowedOrigins: '["https://app.example.com","http://localhost:5173"]',
        authCookieName: 'vl_session',
      });
      for (const route of ROUTES.filter((r) => r.access !== 'public')) {
        expect(environment(built, functionOf(built, route.id))).toMatchObject({
          TABLE_NAME: tableRef,
          POWERTOOLS_SERVICE_NAME: route.handler,
          LOG_LEVEL: 'INFO',
          ALLOWED_ORIGINS: '',
          AUTH_COOKIE_NAME: 'session',
        });
        expect(environment(origins, functionOf(origins, route.id))).toMatchObject({
          ALLOWED_ORIGINS: 'https://app.example.com,http://localhost:5173',
          AUTH_COOKIE_NAME: 'vl_session',
        });
      }
    });

    it('give the public routes (health, the OpenAPI document) no grant and no setting beyond their own logs', () => {
      for (const id of routesWith('public')) {
        const env = environment(built, functionOf(built, id));
        expect(Object.keys(env).sort(), id).toEqual(['LOG_LEVEL', 'POWERTOOLS_SERVICE_NAME']);
        const granted = actions(built, functionOf(built, id));
        expect(
          granted.filter((action) => !/^logs:/.test(action)),
          id,
        ).toEqual([]);
      }
    });

    it('give upload routes the bucket, the add-media state machine and the upload settings; others none of it', () => {
      const bucketRef = { Ref: logicalIdOf(built.stack.mediaBucket.bucket) };
      for (const id of routesWith('upload')) {
        expect(environment(built, functionOf(built, id))).toMatchObject({
          BUCKET_NAME: bucketRef,
          ADD_MEDIA_STATE_MACHINE_ARN: ADD_MEDIA_ARN,
          ADD_MEDIA_ENABLED: 'true',
          ALLOWED_ASSUME_ROLE_ARNS: '',
          MAX_UPLOAD_BYTES: String(4 * 1024 * 1024),
        });
        // New datasets record which bytes embed them: the image's model (lib/config.ts pinnedEmbeddingConfig).
        expect(JSON.parse(environment(built, functionOf(built, id)).DEFAULT_EMBEDDING_CONFIG as string)).toEqual({
          ...DEFAULT_EMBEDDING_CONFIG,
          model_sha256: TEST_WORKER_MODEL.workerModelSha256,
        });
      }
      expect(environment(built, functionOf(built, 'Reindex'))).toMatchObject({
        REINDEX_STATE_MACHINE_ARN: REINDEX_ARN,
      });
      for (const route of ROUTES.filter((r) => r.access !== 'upload')) {
        const env = environment(built, functionOf(built, route.id));
        if (route.mediaLinks) expect(env.BUCKET_NAME, route.id).toEqual(bucketRef);
        const absent = ['ADD_MEDIA_STATE_MACHINE_ARN', 'ADD_MEDIA_ENABLED', 'MAX_UPLOAD_BYTES'];
        for (const name of route.mediaLinks ? absent : ['BUCKET_NAME', ...absent]) {
          expect(env, `${route.id} ${name}`).not.toHaveProperty(name);
        }
        if (route.access === 'read') expect(env).not.toHaveProperty('REINDEX_STATE_MACHINE_ARN');
      }
    });

    it.each([
      ['false', 'false'],
      [false, 'false'],
      ['true', 'true'],
      [true, 'true'],
    ])('set ADD_MEDIA_ENABLED from addMediaEnabled=%j', (flag, expected) => {
      const flagged = build({ addMediaEnabled: flag });
      for (const id of routesWith('upload')) {
        expect(environment(flagged, functionOf(flagged, id)).ADD_MEDIA_ENABLED).toBe(expected);
      }
    });

    it('pass role allow-list, upload limit and default embedding config through to upload routes', () => {
      const embedding = CLIP_LIKE_EMBEDDING;
      const configured = build({
        allowedAssumeRoleArns: 'arn:aws:iam::123456789012:role/reader, arn:aws:iam::*:role/vl-*',
        maxUploadBytes: '1048576',
        defaultEmbeddingConfig: JSON.stringify(embedding),
      });
      for (const id of routesWith('upload')) {
        const env = environment(configured, functionOf(configured, id));
        expect(env).toMatchObject({
          ALLOWED_ASSUME_ROLE_ARNS: 'arn:aws:iam::123456789012:role/reader,arn:aws:iam::*:role/vl-*',
          MAX_UPLOAD_BYTES: '1048576',
        });
        expect(JSON.parse(env.DEFAULT_EMBEDDING_CONFIG as string)).toEqual({
          ...embedding,
          model_sha256: TEST_WORKER_MODEL.workerModelSha256,
        });
      }
    });

    it('pass the per-user quotas to every route that starts an operation, and to no other', () => {
      const defaults = build({});
      const configured = build({ maxDatasetsPerUser: '50', maxActiveOperationsPerUser: 2 });
      for (const route of ROUTES) {
        const starts = route.access === 'upload' || route.access === 'reindex';
        const env = environment(configured, functionOf(configured, route.id));
        if (!starts) {
          expect(env, route.id).not.toHaveProperty('MAX_DATASETS_PER_USER');
          continue;
        }
        expect(env, route.id).toMatchObject({ MAX_DATASETS_PER_USER: '50', MAX_ACTIVE_OPERATIONS_PER_USER: '2' });
        expect(environment(defaults, functionOf(defaults, route.id)), route.id).toMatchObject({
          MAX_DATASETS_PER_USER: '1000',
          MAX_ACTIVE_OPERATIONS_PER_USER: '4',
        });
      }
    });

    it('give the authorizer the token rules and nothing of the data', () => {
      const env = environment(built, built.stack.api.authorizer.function);
      expect(env).toMatchObject({
        AUTH_ISSUER: 'add-media-backend',
        AUTH_AUDIENCE: 'add-media-api',
        AUTH_COOKIE_NAME: 'session',
        POWERTOOLS_SERVICE_NAME: 'authorizer',
      });
      for (const name of ['TABLE_NAME', 'BUCKET_NAME', 'AUTH_JWKS_URL']) expect(env).not.toHaveProperty(name);
      const granted = actions(built, built.stack.api.authorizer.function);
      expect(granted.filter((action) => /^(dynamodb|s3|states):/.test(action))).toEqual([]);
    });
  });

  describe('authorizer key source', () => {
    it('generates an HS256 secret in Secrets Manager when neither authJwksUrl nor authJwtSecretArn is set', () => {
      const secretId = logicalIdOf(built.stack.api.authorizer.jwtSecret!);
      built.template.hasResourceProperties('AWS::SecretsManager::Secret', {
        GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
      });
      expect(environment(built, built.stack.api.authorizer.function).AUTH_JWT_SECRET_ARN).toEqual({ Ref: secretId });
      expect(statements(built, built.stack.api.authorizer.function)).toContainEqual({
        actions: expect.arrayContaining(['secretsmanager:GetSecretValue']),
        resources: [{ Ref: secretId }],
      });
    });

    it('reads a given secret ARN, granting GetSecretValue on that secret only', () => {
      const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:vl/jwt-AbC123';
      const given = build({ authJwtSecretArn: arn });
      given.template.resourceCountIs('AWS::SecretsManager::Secret', 0);
      expect(environment(given, given.stack.api.authorizer.function).AUTH_JWT_SECRET_ARN).toBe(arn);
      const secretStatements = statements(given, given.stack.api.authorizer.function).filter((s) =>
        s.actions.some((a) => a.startsWith('secretsmanager:')),
      );
      expect(secretStatements).toEqual([
        { actions: expect.arrayContaining(['secretsmanager:GetSecretValue']), resources: [arn] },
      ]);
    });

    it('verifies against a JWKS URL with no secret at all', () => {
      const url = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123/.well-known/jwks.json';
      const jwks = build({
        authJwksUrl: url,
        authIssuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123',
      });
      const env = environment(jwks, jwks.stack.api.authorizer.function);
      expect(env).toMatchObject({
        AUTH_JWKS_URL: url,
        AUTH_ISSUER: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123',
      });
      expect(env).not.toHaveProperty('AUTH_JWT_SECRET_ARN');
      jwks.template.resourceCountIs('AWS::SecretsManager::Secret', 0);
      expect(actions(jwks, jwks.stack.api.authorizer.function).filter((a) => a.startsWith('secretsmanager:'))).toEqual(
        [],
      );
    });
  });

  describe('IAM least privilege', () => {
    const WRITES = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

    it('read-only routes may read the table and nothing else; media routes also get thumbnails and media', () => {
      const bucketArn = { 'Fn::GetAtt': [logicalIdOf(built.stack.mediaBucket.bucket), 'Arn'] };
      for (const route of ROUTES.filter((r) => r.access === 'read')) {
        const granted = actions(built, functionOf(built, route.id));
        expect(granted, route.id).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query']));
        for (const action of [
          ...WRITES,
          'states:StartExecution',
          's3:PutObject',
          ...(route.mediaLinks ? [] : ['s3:GetObject']),
          'secretsmanager:GetSecretValue',
        ]) {
          expect(granted, `${route.id} must not have ${action}`).not.toContain(action);
        }
        const s3Statements = statements(built, functionOf(built, route.id)).filter((s) =>
          s.actions.some((a) => a.startsWith('s3:')),
        );
        expect(s3Statements, route.id).toEqual(
          route.mediaLinks
            ? [
                {
                  actions: ['s3:GetObject'],
                  resources: [
                    { 'Fn::Join': ['', [bucketArn, '/datasets/*/batches/*/media/*']] },
                    { 'Fn::Join': ['', [bucketArn, '/datasets/*/batches/*/thumbnails/*']] },
                  ],
                },
              ]
            : [],
        );
      }
    });

    it('upload routes start only the add-media state machine and write only under staging/', () => {
      const bucketArn = { 'Fn::GetAtt': [logicalIdOf(built.stack.mediaBucket.bucket), 'Arn'] };
      for (const id of routesWith('upload')) {
        const fnStatements = statements(built, functionOf(built, id));
        expect(fnStatements.filter((s) => s.actions.some((a) => a.startsWith('states:')))).toEqual([
          { actions: ['states:StartExecution'], resources: [ADD_MEDIA_ARN] },
        ]);
        expect(fnStatements.filter((s) => s.actions.some((a) => a.startsWith('s3:')))).toEqual([
          {
            actions: ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:PutObject'],
            resources: [{ 'Fn::Join': ['', [bucketArn, '/staging/*']] }],
          },
        ]);
        expect(fnStatements.flatMap((s) => s.actions)).toEqual(expect.arrayContaining(WRITES));
      }
    });

    it('upload routes may read only the configured source buckets and assume only the allowed roles', () => {
      for (const id of routesWith('upload')) {
        expect(
          actions(built, functionOf(built, id)).filter((a) => a.startsWith('sts:')),
          id,
        ).toEqual([]);
      }
      const configured = build({
        sourceBucketNames: 'team-media, raw-*',
        allowedAssumeRoleArns: 'arn:aws:iam::123456789012:role/reader',
        assumeRoleExternalId: 'vl-external',
      });
      const partition = { Ref: 'AWS::Partition' };
      const bucketArn = (suffix: string) => ({ 'Fn::Join': ['', ['arn:', partition, `:s3:::${suffix}`]] });
      for (const id of routesWith('upload')) {
        const fn = functionOf(configured, id);
        const fnStatements = statements(configured, fn);
        expect(fnStatements).toContainEqual({
          actions: ['s3:ListBucket'],
          resources: [bucketArn('raw-*'), bucketArn('team-media')],
        });
        expect(fnStatements).toContainEqual({
          actions: ['s3:GetObject'],
          resources: [bucketArn('raw-*/*'), bucketArn('team-media/*')],
        });
        expect(fnStatements).toContainEqual({
          actions: ['sts:AssumeRole', 'sts:SetSourceIdentity'],
          resources: ['arn:aws:iam::123456789012:role/reader'],
        });
        expect(environment(configured, fn)).toMatchObject({
          SOURCE_BUCKET_NAMES: 'team-media,raw-*',
          ASSUME_ROLE_EXTERNAL_ID: 'vl-external',
        });
      }
      for (const route of ROUTES.filter((r) => r.access === 'read')) {
        expect(
          actions(configured, functionOf(configured, route.id)).filter((a) => /^(sts|s3):/.test(a)),
          route.id,
        ).toEqual(route.mediaLinks ? ['s3:GetObject'] : []);
        if (route.mediaLinks) {
          expect(statements(configured, functionOf(configured, route.id))).toContainEqual({
            actions: ['s3:GetObject'],
            resources: expect.arrayContaining([bucketArn('team-media/*'), bucketArn('raw-*/*')]),
          });
        }
      }
    });

    it('the reindex route starts only the reindex state machine and has no bucket access', () => {
      const fnStatements = statements(built, functionOf(built, 'Reindex'));
      expect(fnStatements.filter((s) => s.actions.some((a) => a.startsWith('states:')))).toEqual([
        { actions: ['states:StartExecution'], resources: [REINDEX_ARN] },
      ]);
      expect(fnStatements.flatMap((s) => s.actions).filter((a) => a.startsWith('s3:'))).toEqual([]);
    });

    it('grants no "*" resource (no active tracing), and attaches no managed policy to function roles', () => {
      for (const fn of [built.stack.api.authorizer.function, ...Object.values(built.stack.api.functions)]) {
        const wildcard = statements(built, fn).filter((s) => s.resources.includes('*'));
        expect(wildcard, fn.node.path).toEqual([]);
        expect(properties(built.template, logicalIdOf(fn.role!)).ManagedPolicyArns).toBeUndefined();
      }
    });
  });
});
