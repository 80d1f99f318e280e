import { type App, type CfnResource, Stack, Validations } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { ROUTES } from '../core/routes';
import { MEDIA_LINK_KEYS } from './api/api';
import type { AppStack } from './app-stack';
import { STAGING_PREFIX } from './media-bucket';

/** The rule packs every synth runs; a finding of level error stops `cdk synth`. */
export function nagPacks(): [AwsSolutionsChecks, ServerlessChecks] {
  return [new AwsSolutionsChecks(), new ServerlessChecks()];
}

export function addNagChecks(app: App): void {
  Validations.of(app).addPlugins(...nagPacks());
}

/**
 * Every acknowledged finding of the stack's control plane (AppStack calls it), each with the reason it is
 * accepted, on the narrowest construct that carries it (a wildcard finding by its exact
 * resource or action).
 */
export function acknowledgeFindings(stack: AppStack): void {
  const { api, dataTable, mediaBucket } = stack;

  acknowledge(
    api.restApi,
    'AwsSolutions-APIG2',
    'No API Gateway request validator: the inputs are a path id, optional query strings and multipart/form-data bodies, ' +
      'none of which an API Gateway model can describe; every handler validates its input and answers 400 {"detail"} (API.md).',
  );
  acknowledge(
    api.restApi,
    'AwsSolutions-APIG3',
    'WAF is left to the operator (a web ACL and its rules cost monthly); every method is behind the JWT authorizer and the stage is throttled. ' +
      'Associate a WAFv2 web ACL with the stage to add one.',
  );
  acknowledge(
    api.restApi,
    'AwsSolutions-COG4',
    'The API accepts JWTs from any OIDC provider (JWKS) or a shared HS256 secret through a Lambda REQUEST authorizer on every method; ' +
      'Cognito user pools are supported through their JWKS URL, so a Cognito-only authorizer would shut other providers out.',
  );
  const cloudWatchRole = api.restApi.node.tryFindChild('CloudWatchRole');
  if (cloudWatchRole) {
    acknowledge(
      cloudWatchRole,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      'API Gateway execution logging needs this account-level role; the AWS managed policy is the documented one for it and only writes to CloudWatch Logs.',
    );
  }

  const secret = api.authorizer.jwtSecret;
  if (secret instanceof secretsmanager.Secret) {
    acknowledge(
      secret,
      'AwsSolutions-SMG4',
      'A JWT signing secret is not rotated on a schedule: rotation would invalidate every session at an arbitrary moment and the ' +
        'authorizer keeps the key for the life of its execution environment. Operators rotate it on purpose (put a new value, ' +
        'issue new tokens), or set authJwksUrl to use an OIDC provider that rotates its keys.',
    );
  }

  const tableArn = arnReference(dataTable.table.node.defaultChild as CfnResource);
  const stagingArn = `${arnReference(mediaBucket.bucket.node.defaultChild as CfnResource)}/${STAGING_PREFIX}*`;
  acknowledgeApiFunction(api.authorizer.function);
  for (const route of ROUTES) {
    const fn = api.functions[route.id]!;
    acknowledgeApiFunction(fn);
    if (route.access === 'public') {
      acknowledge(
        api.methods[route.id]!,
        'AwsSolutions-APIG4',
        'The health check is meant to be called without credentials (load balancers, uptime probes); its function has no ' +
          'grant beyond its own logs and answers a constant, so it reveals nothing about datasets.',
      );
      continue;
    }
    if (route.mediaLinks) {
      const bucketArn = arnReference(mediaBucket.bucket.node.defaultChild as CfnResource);
      for (const pattern of MEDIA_LINK_KEYS) {
        acknowledge(
          fn.role!,
          `AwsSolutions-IAM5[Resource::${bucketArn}/${pattern}]`,
          'GetObject only (no list, no write) on the thumbnails and stored media of every batch: the function presigns ' +
            'short-lived links to the media items it lists, for callers it has checked may read that dataset.',
        );
      }
    }
    acknowledge(
      fn.role!,
      `AwsSolutions-IAM5[Resource::${tableArn}/index/*]`,
      'Queries go through the indexes of this one table only (gsi1); the index ARN wildcard is how DynamoDB grants index access.',
    );
    if (route.access === 'upload') {
      acknowledge(
        fn.role!,
        `AwsSolutions-IAM5[Resource::${stagingArn}]`,
        'Put/delete only under staging/ of the media bucket, where each request stages its uploads in its own dataset/operation folder (no read, no list).',
      );
    }
  }
}

/** Findings every API function carries by design. */
function acknowledgeApiFunction(fn: LambdaFunction): void {
  acknowledge(
    fn,
    'Serverless-LambdaDLQ',
    'Invoked synchronously by API Gateway: a failure is answered to the client; there is no event to keep for a retry.',
  );
}

function acknowledge(scope: IConstruct | iam.IRole, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/** How cdk-nag prints an Fn::GetAtt of a resource's Arn in IAM5 findings. */
function arnReference(resource: CfnResource): string {
  return `<${Stack.of(resource).getLogicalId(resource)}.Arn>`;
}
