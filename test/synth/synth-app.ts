import { readFileSync } from 'node:fs';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { AppStack } from '../../lib/app-stack';
import { loadDeploymentConfig } from '../../lib/config';

const CDK_JSON = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown>;
};

/**
 * An App with the context `cdk synth` gets from cdk.json (feature flags and defaults),
 * plus `overrides`. Synth tests skip esbuild bundling (no stack is selected for it, so
 * each function gets placeholder code) and the builtin CloudFormation schema check;
 * the nag test runs that check on purpose.
 */
export function testApp(overrides: Record<string, unknown> = {}, options: { cfnValidation?: boolean } = {}): App {
  return new App({
    context: { ...CDK_JSON.context, 'aws:cdk:bundling-stacks': [], ...overrides },
    builtinCloudFormationValidation: options.cfnValidation ?? false,
  });
}

/** The deployed stack, exactly as bin/app.ts composes it, with `overrides` as CDK context. */
export function appStack(overrides: Record<string, unknown> = {}): AppStack {
  const app = testApp(overrides);
  return new AppStack(app, 'AddMediaBackend', { config: loadDeploymentConfig(app) });
}

export interface CfnResourceJson {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

/** Resources of one type by logical id. */
export function resourcesOfType(template: Template, type: string): Record<string, CfnResourceJson> {
  return template.findResources(type) as Record<string, CfnResourceJson>;
}

/** Logical id of a construct's CloudFormation resource (its default child for an L2). */
export function logicalIdOf(construct: IConstruct): string {
  const resource = (construct.node.defaultChild ?? construct) as CfnElement;
  return Stack.of(resource).getLogicalId(resource);
}
