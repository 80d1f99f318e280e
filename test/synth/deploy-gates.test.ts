import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppStack } from '../../lib/app-stack';
import { loadDeploymentConfig } from '../../lib/config';
import { AcknowledgingGuardValidator, acknowledgeGuard } from '../../lib/guard';
import { checkRegistrySchemas } from './registry-schemas';
import { CLIP_LIKE_EMBEDDING, testApp } from './synth-app';

/** Every optional setting on, so that what only they add is checked too. */
const EVERY_OPTION = {
  authJwksUrl: 'https://login.example.com/.well-known/jwks.json',
  alarmEmail: 'ops@example.com',
  natGateways: '1',
  logRetentionDays: '365',
  allowedOrigins: 'https://app.example.com',
  allowedAssumeRoleArns: 'arn:aws:iam::*:role/vl-*',
  assumeRoleExternalId: 'vl-external-id',
  sourceBucketNames: 'team-*-media',
  modelUri: 's3://models-bucket/encoders/clip.onnx',
  gpuInstance: '{"acceleratorNames": [], "allowedInstanceTypes": ["g6.*"]}',
  defaultEmbeddingConfig: JSON.stringify({ ...CLIP_LIKE_EMBEDDING, model_sha256: 'a'.repeat(64) }),
};

interface Synthesized {
  readonly app: App;
  readonly template: { Resources: Record<string, { Type: string; Properties?: any; Metadata?: any }> };
  readonly templatePath: string;
  readonly directory: string;
}

function synthesize(context: Record<string, unknown>): Synthesized {
  const app = testApp(context);
  new AppStack(app, 'AddMediaBackend', { config: loadDeploymentConfig(app) });
  const assembly = app.synth();
  const stack = assembly.getStackByName('AddMediaBackend');
  return { app, template: stack.template, templatePath: stack.templateFullPath, directory: assembly.directory };
}

describe('deployment gates on the synthesized templates (default and every option)', () => {
  let byDefault: Synthesized;
  let everyOption: Synthesized;

  beforeAll(() => {
    byDefault = synthesize({});
    everyOption = synthesize(EVERY_OPTION);
  }, 300_000);

  afterAll(() => {
    for (const synthesized of [byDefault, everyOption]) rmSync(synthesized.directory, { recursive: true, force: true });
  });

  it("validates every resource against CloudFormation's registry schemas with no violation", {
    timeout: 300_000,
  }, () => {
    const result = checkRegistrySchemas({ default: byDefault.template, 'every-option': everyOption.template });
    expect(result.violations).toEqual([]);
    // CDK's own custom resource is the only type without a registry schema.
    expect(result.unschematised).toEqual(['Custom::VpcRestrictDefaultSG']);
    expect(result.checkedResources).toBeGreaterThan(300);
  });

  // cfn-guard evaluates 237 rules over both templates: about 40 s of CPU.
  it('passes every AWS Guard (Control Tower) rule or acknowledges it with a reason, none stale', {
    timeout: 600_000,
  }, () => {
    const report = new AcknowledgingGuardValidator().validate({
      appConstruct: byDefault.app,
      templatePaths: [byDefault.templatePath, everyOption.templatePath],
    });
    const open = report.violations.map(
      (violation) =>
        `${violation.ruleName} on ${violation.violatingResources.map((r) => r.resourceLogicalId).join(', ')}: ${violation.description}`,
    );
    expect(open).toEqual([]);
    expect(report.success).toBe(true);
    for (const synthesized of [byDefault, everyOption]) {
      for (const [logicalId, resource] of Object.entries(synthesized.template.Resources)) {
        const guard = resource.Metadata?.guard;
        for (const rule of guard?.SuppressedRules ?? [])
          expect(guard.Reasons[rule]?.length ?? 0, `${rule} on ${logicalId}`).toBeGreaterThan(40);
      }
    }
  });

  it('acknowledges log retention only where it is below a year', () => {
    const retentionAcknowledged = (synthesized: Synthesized) =>
      Object.values(synthesized.template.Resources).some((resource) =>
        resource.Metadata?.guard?.SuppressedRules?.includes('cloudwatch_log_group_retention_period_check'),
      );
    expect(retentionAcknowledged(byDefault)).toBe(true);
    expect(retentionAcknowledged(everyOption)).toBe(false);
  });

  it('sends every alarm, when it fires and when it recovers, to the alarm topic; alarmEmail subscribes to it', () => {
    for (const synthesized of [byDefault, everyOption]) {
      const resources = Object.entries(synthesized.template.Resources);
      const [topicId] = resources.find(([, resource]) => resource.Type === 'AWS::SNS::Topic')!;
      const alarms = resources.filter(([, resource]) => resource.Type === 'AWS::CloudWatch::Alarm');
      expect(alarms).toHaveLength(5);
      for (const [, alarm] of alarms) {
        expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
        expect(alarm.Properties.OKActions).toEqual([{ Ref: topicId }]);
      }
    }
    const subscriptions = (synthesized: Synthesized) =>
      Object.values(synthesized.template.Resources)
        .filter((resource) => resource.Type === 'AWS::SNS::Subscription')
        .map((resource) => [resource.Properties.Protocol, resource.Properties.Endpoint]);
    expect(subscriptions(byDefault)).toEqual([]);
    expect(subscriptions(everyOption)).toEqual([['email', 'ops@example.com']]);
  });
});

/** The Control Tower SQS rules alone: enough to see acknowledgements work, without running all 237 rules again. */
const SQS_RULES = join(
  dirname(createRequire(import.meta.url).resolve('@cdklabs/cdk-validator-cfnguard')),
  '../rules/control-tower/cfn-guard/sqs',
);

describe('AcknowledgingGuardValidator', () => {
  it('reports an unacknowledged violation and an acknowledgement with nothing behind it', { timeout: 300_000 }, () => {
    const app = new App();
    const stack = new Stack(app, 'Queues');
    new sqs.Queue(stack, 'WithoutDeadLetters');
    const deadLetters = new sqs.Queue(stack, 'DeadLetters');
    const withDeadLetters = new sqs.Queue(stack, 'WithDeadLetters', {
      deadLetterQueue: { queue: deadLetters, maxReceiveCount: 3 },
    });
    acknowledgeGuard(deadLetters, 'sqs_dlq_check', 'A dead-letter queue has no dead-letter queue of its own.');
    acknowledgeGuard(withDeadLetters, 'sqs_dlq_check', 'Stale: this queue has a dead-letter queue.');
    const assembly = app.synth();
    try {
      const report = new AcknowledgingGuardValidator({ controlTowerRulesEnabled: false, rules: [SQS_RULES] }).validate({
        appConstruct: app,
        templatePaths: [assembly.getStackByName('Queues').templateFullPath],
      });
      const found = report.violations
        .filter((violation) => violation.ruleName === 'sqs_dlq_check')
        .map((violation) => [violation.violatingResources.map((r) => r.resourceLogicalId), violation.description]);
      expect(found).toEqual([
        [[expect.stringMatching(/^WithoutDeadLetters/)], expect.stringContaining('[CT.SQS.PR.1]')],
        [[expect.stringMatching(/^WithDeadLetters/)], expect.stringMatching(/^Stale acknowledgement/)],
      ]);
      expect(report.success).toBe(false);
    } finally {
      rmSync(assembly.directory, { recursive: true, force: true });
    }
  });
});
