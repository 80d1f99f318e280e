import { type App, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { AppStack } from '../../lib/app-stack';
import { loadDeploymentConfig } from '../../lib/config';
import { addNagChecks, nagPacks } from '../../lib/nag';
import { testApp } from './synth-app';

interface Finding {
  readonly rule: string;
  readonly severity: string;
  readonly path: string;
}

function findings(app: App): Finding[] {
  return nagPacks().flatMap((pack) =>
    pack.validateScope(app).violations.flatMap((violation) =>
      violation.violatingResources.map((resource) => ({
        rule: violation.ruleName,
        severity: violation.severity ?? 'unknown',
        path: resource.constructPath ?? resource.resourceLogicalId ?? '?',
      })),
    ),
  );
}

function deployedApp(context: Record<string, unknown> = {}, options: { cfnValidation?: boolean } = {}): App {
  const app = testApp(context, options);
  new AppStack(app, 'AddMediaBackend', { config: loadDeploymentConfig(app) });
  return app;
}

interface Acknowledgment {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

/** The app built while acknowledge() records instead of suppressing: every raw finding, and every acknowledgment made. */
function unacknowledged(context: Record<string, unknown> = {}): { raw: Finding[]; acknowledgments: Acknowledgment[] } {
  const acknowledgments: Acknowledgment[] = [];
  const spy = vi.spyOn(Validations.prototype, 'acknowledge').mockImplementation(function (this: Validations, ...rules) {
    const scope = (this as unknown as { scope: { node: { path: string } } }).scope;
    for (const rule of rules) acknowledgments.push({ path: scope.node.path, id: rule.id, reason: rule.reason });
  });
  try {
    return { raw: findings(deployedApp(context)), acknowledgments };
  } finally {
    spy.mockRestore();
  }
}

const describeFinding = (f: Finding) => `[${f.severity}] ${f.rule} at ${f.path}`;

describe('cdk-nag (AwsSolutions + Serverless) on the deployed app', () => {
  describe.each([
    ['default configuration (generated JWT secret)', {}],
    [
      'JWKS and every optional key set',
      {
        authJwksUrl: 'https://login.example.com/.well-known/jwks.json',
        allowedOrigins: 'https://app.example.com',
        allowedAssumeRoleArns: 'arn:aws:iam::123456789012:role/reader',
        assumeRoleExternalId: 'vl-external-id',
        natGateways: '1',
      },
    ],
  ])('%s', (_name, context) => {
    let app: App;
    beforeAll(() => {
      app = deployedApp(context);
    });

    it('has no finding, error or warning, without a written acknowledgment', () => {
      expect(findings(app).map(describeFinding)).toEqual([]);
    });

    it('acknowledges only rule-pack findings that exist, each on the construct carrying it, with a reason', () => {
      const { raw, acknowledgments } = unacknowledged(context);
      const packAcknowledgments = acknowledgments.filter((ack) => /^(AwsSolutions|Serverless)-/.test(ack.id));
      expect(packAcknowledgments.length).toBeGreaterThan(0);
      const stale = packAcknowledgments.filter(
        (ack) => !raw.some((f) => f.rule === ack.id && (f.path === ack.path || f.path.startsWith(`${ack.path}/`))),
      );
      expect(stale.map((ack) => `${ack.id} at ${ack.path}`)).toEqual([]);
      for (const ack of acknowledgments) expect(ack.reason.length, `${ack.id} at ${ack.path}`).toBeGreaterThan(40);
    });
  });

  it('synthesizes like `cdk synth` (rule packs and the CloudFormation schema check as validation plugins) without failing', () => {
    const app = deployedApp({}, { cfnValidation: true });
    addNagChecks(app);
    const assembly = app.synth();
    expect(assembly.getStackByName('AddMediaBackend').template.Resources).toBeDefined();
  });

  it('makes synthesis fail on an unacknowledged error finding', () => {
    const app = testApp();
    const stack = new Stack(app, 'Unlogged');
    new s3.Bucket(stack, 'Bucket', { enforceSSL: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL });
    addNagChecks(app);
    expect(() => app.synth()).toThrow(/AwsSolutions-S1/);
  });
});
