import type { RecordedCall } from './recorded-calls';

/** One IAM authorization a call needs: action, resource ARN and the condition keys it carries. */
export interface IamRequest {
  readonly action: string;
  readonly resource: string;
  readonly context: Readonly<Record<string, string>>;
}

/** Canonical names both sides use: the deployment's bucket and table, whatever a test called them. */
export const DEPLOYMENT_BUCKET = '{DeploymentBucket}';
export const DEPLOYMENT_TABLE = '{DeploymentTable}';
/** Where account and region go in canonical ARNs (tests run in any region, with a fake account). */
const REGION_ACCOUNT = 'REGION:ACCOUNT';

/** The calls the gate leaves to configuration-specific synth tests, with why. */
export type Unchecked = { readonly call: RecordedCall; readonly why: string };

const OUR_PREFIXES = ['datasets/', 'staging/'];

/**
 * What IAM evaluates for a recorded call (the S3, DynamoDB, Step Functions, EventBridge, STS and Secrets Manager commands the code
 * sends), or why the call is outside the default deployment's policy: sources in other buckets and roles to assume
 * are granted only by sourceBucketNames / allowedAssumeRoleArns.
 */
export function iamRequestsOf(call: RecordedCall): IamRequest[] | Unchecked {
  const { input } = call;
  switch (call.service) {
    case 'S3':
      return s3Requests(call);
    case 'DynamoDB':
      return dynamoRequests(call);
    case 'SFN':
      return sfnRequests(call);
    case 'STS':
      return { call, why: 'sts:AssumeRole is granted per deployment by allowedAssumeRoleArns' };
    case 'EventBridge':
      return eventBridgeRequests(call);
    case 'Secrets Manager':
      return [request('secretsmanager:GetSecretValue', canonicalSecret(String(input.SecretId), call))];
    default:
      return [request(`${call.service.toLowerCase()}:${call.command}`, '*')];
  }
}

const request = (action: string, resource: string, context: Record<string, string> = {}): IamRequest => ({
  action,
  resource,
  context,
});

const S3_OBJECT_ACTIONS: Readonly<Record<string, string>> = {
  GetObject: 's3:GetObject',
  HeadObject: 's3:GetObject',
  PutObject: 's3:PutObject',
  CreateMultipartUpload: 's3:PutObject',
  UploadPart: 's3:PutObject',
  CompleteMultipartUpload: 's3:PutObject',
  AbortMultipartUpload: 's3:AbortMultipartUpload',
  DeleteObject: 's3:DeleteObject',
};

function s3Requests(call: RecordedCall): IamRequest[] | Unchecked {
  const input = call.input as {
    Bucket?: string;
    Key?: string;
    Prefix?: string;
    Delete?: { Objects?: { Key?: string }[] };
  };
  const bucket = String(input.Bucket);
  const keys =
    call.command === 'DeleteObjects' ? (input.Delete?.Objects ?? []).map((object) => String(object.Key)) : [input.Key];
  const ours =
    bucket === call.env.BUCKET_NAME ||
    [...keys, input.Prefix].some((key) => key !== undefined && OUR_PREFIXES.some((prefix) => key.startsWith(prefix)));
  if (!ours) return { call, why: `bucket ${bucket} is a media source, granted per deployment by sourceBucketNames` };
  if (call.command === 'ListObjectsV2')
    return [request('s3:ListBucket', `arn:aws:s3:::${DEPLOYMENT_BUCKET}`, { 's3:prefix': input.Prefix ?? '' })];
  if (call.command === 'DeleteObjects')
    return keys.map((key) => request('s3:DeleteObject', `arn:aws:s3:::${DEPLOYMENT_BUCKET}/${key}`));
  const action = S3_OBJECT_ACTIONS[call.command] ?? `s3:${call.command}`;
  return [request(action, `arn:aws:s3:::${DEPLOYMENT_BUCKET}/${input.Key}`)];
}

// lib-dynamodb's commands carry the document names; IAM knows the low-level ones.
const DYNAMO_ACTIONS: Readonly<Record<string, string>> = {
  Get: 'GetItem',
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  BatchWrite: 'BatchWriteItem',
  BatchGet: 'BatchGetItem',
  TransactWrite: 'TransactWriteItems',
  TransactGet: 'TransactGetItems',
};

function dynamoRequests(call: RecordedCall): IamRequest[] {
  const input = call.input as { TableName?: string; IndexName?: string; RequestItems?: Record<string, unknown> };
  const action = `dynamodb:${DYNAMO_ACTIONS[call.command] ?? call.command}`;
  const tables = input.RequestItems ? Object.keys(input.RequestItems) : [input.TableName];
  const table = `arn:aws:dynamodb:${REGION_ACCOUNT}:table/${DEPLOYMENT_TABLE}`;
  // Every table a test uses stands for the deployment's one table.
  return tables.map(() => request(action, input.IndexName ? `${table}/index/${input.IndexName}` : table));
}

function sfnRequests(call: RecordedCall): IamRequest[] {
  const input = call.input as { stateMachineArn?: string; executionArn?: string };
  if (call.command === 'StartExecution')
    return [request('states:StartExecution', canonicalStates(String(input.stateMachineArn), call))];
  if (call.command === 'DescribeExecution')
    return [request('states:DescribeExecution', canonicalStates(String(input.executionArn), call))];
  return [request(`states:${call.command}`, '*')];
}

/** A state machine or execution ARN with the machine named by its env variable (`{AddMedia}`), region and account canonical. */
function canonicalStates(arn: string, call: RecordedCall): string {
  let canonical = arn.replace(/^arn:aws:states:[^:]*:[^:]*:/, `arn:aws:states:${REGION_ACCOUNT}:`);
  for (const [variable, token] of [
    ['ADD_MEDIA_STATE_MACHINE_ARN', '{ADD_MEDIA_STATE_MACHINE_ARN}'],
    ['REINDEX_STATE_MACHINE_ARN', '{REINDEX_STATE_MACHINE_ARN}'],
  ] as const) {
    const name = call.env[variable]?.split(':').at(-1);
    if (name)
      canonical = canonical.replace(
        new RegExp(`:(stateMachine|execution):${escapeRegExp(name)}(?=:|$)`),
        `:$1:${token}`,
      );
  }
  return canonical;
}

/** PutEvents is authorized per entry on the bus it names (the default bus when none is named). */
function eventBridgeRequests(call: RecordedCall): IamRequest[] {
  const entries = (call.input as { Entries?: { EventBusName?: string }[] }).Entries ?? [];
  if (call.command !== 'PutEvents') return [request(`events:${call.command}`, '*')];
  return entries.map((entry) =>
    request('events:PutEvents', `arn:aws:events:${REGION_ACCOUNT}:event-bus/${entry.EventBusName ?? 'default'}`),
  );
}

function canonicalSecret(secretId: string, call: RecordedCall): string {
  return secretId === call.env.AUTH_JWT_SECRET_ARN ? '{AUTH_JWT_SECRET_ARN}' : secretId;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
