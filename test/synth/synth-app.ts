import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { inject } from 'vitest';
import { AppStack } from '../../lib/app-stack';
import { loadDeploymentConfig } from '../../lib/config';

const CDK_JSON = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown>;
};

/**
 * The worker image's encoder, as a real deployment sets it: without it every synth prints the "not set" warning
 * (pipeline.test.ts checks that warning on purpose).
 */
export const TEST_WORKER_MODEL = {
  workerModelUrl: 'https://models.example.com/test-encoder.onnx',
  workerModelSha256: '0'.repeat(64),
};

/** A `defaultEmbeddingConfig` of a CLIP-class encoder, without a pin (tests add the `model_sha256` they need). */
export const CLIP_LIKE_EMBEDDING = {
  model_id: 'clip',
  dimension: 512,
  input_size: 224,
  mean: [0.5, 0.5, 0.5],
  std: [0.25, 0.25, 0.25],
  version: '1',
} as const;

/**
 * An App with the context `cdk synth` gets from cdk.json (feature flags and defaults),
 * plus a worker model and `overrides`. Synth tests skip esbuild bundling (no stack is selected for it, so
 * each function gets placeholder code) and the builtin CloudFormation schema check;
 * the nag test runs that check on purpose. The cloud assembly goes under the run's
 * scratch folder (test/support/global-setup.ts removes it), not into a /tmp/cdk.out* of its own.
 */
export function testApp(overrides: Record<string, unknown> = {}, options: { cfnValidation?: boolean } = {}): App {
  return new App({
    context: { ...CDK_JSON.context, 'aws:cdk:bundling-stacks': [], ...TEST_WORKER_MODEL, ...overrides },
    builtinCloudFormationValidation: options.cfnValidation ?? false,
    outdir: mkdtempSync(join(inject('scratchDir'), 'cdk.out-')),
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
