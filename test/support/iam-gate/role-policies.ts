import { DEPLOYMENT_BUCKET, DEPLOYMENT_TABLE, type IamRequest } from './iam-requests';
import type { Caller } from './recorded-calls';

interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, any>;
}
export interface CfnTemplate {
  readonly Resources: Record<string, Resource>;
}

/** An IAM statement with its ARNs resolved to canonical strings (see iam-requests.ts). */
export interface ResolvedStatement {
  readonly effect: string;
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly condition?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** NotAction / NotResource / NotPrincipal: never evaluated as a grant. */
  readonly negated: boolean;
}

/** The identity policy statements of the role that `caller` runs as, in `template`. */
export function statementsOf(template: CfnTemplate, caller: Caller): ResolvedStatement[] {
  const { roleId, environment } =
    caller.kind === 'lambda' ? lambdaRole(template, caller.name) : workerRole(template, caller.name);
  const resolve = resolver(template, environment);
  const documents = [
    ...(template.Resources[roleId]?.Properties?.Policies ?? []).map((policy: any) => policy.PolicyDocument),
    ...Object.values(template.Resources)
      .filter((resource) => resource.Type === 'AWS::IAM::Policy')
      .filter((policy) => (policy.Properties?.Roles ?? []).some((role: any) => role?.Ref === roleId))
      .map((policy) => policy.Properties!.PolicyDocument),
  ];
  return documents.flatMap((document: any) =>
    [document.Statement].flat().map(
      (statement: any): ResolvedStatement => ({
        effect: statement.Effect,
        actions: [statement.Action ?? []].flat(),
        resources: [statement.Resource ?? []].flat().map(resolve),
        condition: statement.Condition,
        negated: 'NotAction' in statement || 'NotResource' in statement,
      }),
    ),
  );
}

function lambdaRole(template: CfnTemplate, name: string) {
  const functions = Object.entries(template.Resources).filter(
    ([, resource]) =>
      resource.Type === 'AWS::Lambda::Function' &&
      resource.Properties?.Environment?.Variables?.POWERTOOLS_SERVICE_NAME === name,
  );
  if (functions.length !== 1)
    throw new Error(`Expected one function with service name ${name}, found ${functions.length}`);
  const [, fn] = functions[0]!;
  return { roleId: fn.Properties!.Role['Fn::GetAtt'][0] as string, environment: fn.Properties!.Environment.Variables };
}

/** Every worker task runs with the task role of the task definitions (one role for all of them). */
function workerRole(template: CfnTemplate, task: string) {
  const definitions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::ECS::TaskDefinition');
  const roles = new Set(definitions.map((definition) => definition.Properties!.TaskRoleArn['Fn::GetAtt'][0] as string));
  if (roles.size !== 1) throw new Error(`Expected one worker task role for ${task}, found ${roles.size}`);
  const container = definitions[0]!.Properties!.ContainerDefinitions[0];
  const environment = Object.fromEntries(
    (container.Environment ?? []).map((variable: { Name: string; Value: unknown }) => [variable.Name, variable.Value]),
  );
  return { roleId: [...roles][0]!, environment };
}

/**
 * Resolves the intrinsics of policy resources to canonical strings: the bucket and table the role's own environment
 * names become DEPLOYMENT_BUCKET / DEPLOYMENT_TABLE, state machines and secrets the variable that names them.
 */
function resolver(template: CfnTemplate, environment: Record<string, unknown>): (value: unknown) => string {
  const raw = (value: unknown): string => {
    if (typeof value === 'string') return value;
    const node = value as Record<string, any>;
    if ('Ref' in node) return reference(template, node.Ref);
    if ('Fn::GetAtt' in node) return attribute(template, node['Fn::GetAtt'][0], node['Fn::GetAtt'][1]);
    if ('Fn::Join' in node) return node['Fn::Join'][1].map(raw).join(node['Fn::Join'][0]);
    if ('Fn::Select' in node) return raw(node['Fn::Select'][1][node['Fn::Select'][0]]);
    return `{unresolved:${JSON.stringify(node)}}`;
  };
  const replacements: [string, string][] = [];
  if (environment.BUCKET_NAME) replacements.push([raw(environment.BUCKET_NAME), DEPLOYMENT_BUCKET]);
  if (environment.TABLE_NAME) replacements.push([raw(environment.TABLE_NAME), DEPLOYMENT_TABLE]);
  for (const variable of ['ADD_MEDIA_STATE_MACHINE_ARN', 'REINDEX_STATE_MACHINE_ARN']) {
    const name = environment[variable] ? raw(environment[variable]).split(':').at(-1) : undefined;
    if (name) replacements.push([name, `{${variable}}`]);
  }
  if (environment.AUTH_JWT_SECRET_ARN)
    replacements.push([raw(environment.AUTH_JWT_SECRET_ARN), '{AUTH_JWT_SECRET_ARN}']);
  return (value) => replacements.reduce((text, [from, to]) => text.replaceAll(from, to), raw(value));
}

const PSEUDO: Readonly<Record<string, string>> = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'REGION',
  'AWS::AccountId': 'ACCOUNT',
  'AWS::URLSuffix': 'amazonaws.com',
};

function reference(template: CfnTemplate, id: string): string {
  if (PSEUDO[id]) return PSEUDO[id]!;
  const type = template.Resources[id]?.Type;
  if (type === 'AWS::StepFunctions::StateMachine') return `arn:aws:states:REGION:ACCOUNT:stateMachine:{${id}}`;
  if (type === 'AWS::SecretsManager::Secret') return `arn:aws:secretsmanager:REGION:ACCOUNT:secret:{${id}}`;
  return `{${id}}`;
}

function attribute(template: CfnTemplate, id: string, name: string): string {
  const type = template.Resources[id]?.Type;
  if (name === 'Arn' && type === 'AWS::S3::Bucket') return `arn:aws:s3:::{${id}}`;
  if (name === 'Arn' && (type === 'AWS::DynamoDB::GlobalTable' || type === 'AWS::DynamoDB::Table'))
    return `arn:aws:dynamodb:REGION:ACCOUNT:table/{${id}}`;
  if (name === 'Name' && type === 'AWS::StepFunctions::StateMachine') return `{${id}}`;
  return `{${id}.${name}}`;
}

/**
 * Whether an Allow statement grants the request: action and resource match (with `*` and `?`), and every condition is
 * one this evaluator knows and holds. A condition it cannot evaluate grants nothing (conservative).
 */
export function isAllowed(statements: readonly ResolvedStatement[], request: IamRequest): boolean {
  return statements.some(
    (statement) =>
      statement.effect === 'Allow' &&
      !statement.negated &&
      statement.actions.some((action) => wildcardMatch(action.toLowerCase(), request.action.toLowerCase())) &&
      statement.resources.some((resource) => wildcardMatch(resource, request.resource)) &&
      conditionsHold(statement.condition, request.context),
  );
}

function conditionsHold(condition: ResolvedStatement['condition'], context: Readonly<Record<string, string>>): boolean {
  for (const [operator, tests] of Object.entries(condition ?? {})) {
    for (const [key, expected] of Object.entries(tests)) {
      const actual = context[key];
      if (actual === undefined) return false;
      const values = [expected].flat().map(String);
      if (operator === 'StringLike' && !values.some((pattern) => wildcardMatch(pattern, actual))) return false;
      if (operator === 'StringEquals' && !values.includes(actual)) return false;
      if (operator !== 'StringLike' && operator !== 'StringEquals') return false;
    }
  }
  return true;
}

function wildcardMatch(pattern: string, value: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`, 's').test(value);
}
