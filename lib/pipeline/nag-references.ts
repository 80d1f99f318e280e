import { type CfnResource, Stack, Token, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Accepts one cdk-nag finding on `scope` (and what it contains) with the reason it is accepted. */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/** How cdk-nag prints an Fn::GetAtt of a construct's Arn in IAM5 findings, e.g. `<MediaBucketBucket1A2B3C.Arn>`. */
export function arnReference(construct: IConstruct): string {
  return attributeReference(construct, 'Arn');
}

/**
 * How cdk-nag prints `stack.formatArn({ service, resource })` (pseudo parameters where the stack is
 * environment-agnostic); `global` for services whose ARNs have no region and account (S3).
 */
export function formattedArnReference(
  scope: IConstruct,
  service: string,
  resource: string,
  options: { global?: boolean } = {},
): string {
  const stack = Stack.of(scope);
  const pseudo = (value: string, name: string) => (Token.isUnresolved(value) ? `<AWS::${name}>` : value);
  const region = options.global ? '' : pseudo(stack.region, 'Region');
  const account = options.global ? '' : pseudo(stack.account, 'AccountId');
  return `arn:${pseudo(stack.partition, 'Partition')}:${service}:${region}:${account}:${resource}`;
}

/** How cdk-nag prints a Ref to a construct's resource, e.g. `<PipelineComputeCluster1A2B3C>`. */
export function refReference(construct: IConstruct): string {
  const resource = construct.node.defaultChild as CfnResource;
  return `<${Stack.of(resource).getLogicalId(resource)}>`;
}

/** How cdk-nag prints an Fn::GetAtt of an attribute, e.g. `<PipelineWorkflowsAddMedia1A2B3C.Name>`. */
export function attributeReference(construct: IConstruct, attribute: string): string {
  const resource = construct.node.defaultChild as CfnResource;
  return `<${Stack.of(resource).getLogicalId(resource)}.${attribute}>`;
}
