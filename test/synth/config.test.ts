import { readFileSync } from 'node:fs';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { describe, expect, it } from 'vitest';
import { DEFAULT_EMBEDDING_CONFIG, parseEmbeddingConfig } from '../../core/datasets/embedding-config';
import {
  CONFIG_DEFAULTS,
  DEFAULT_GPU_INSTANCE,
  DeploymentConfigError,
  MAX_UPLOAD_BYTES_LIMIT,
  parseDeploymentConfig,
} from '../../lib/config';
import { CLIP_LIKE_EMBEDDING } from './synth-app';

const AUTH = { authIssuer: 'https://issuer.example.com', authAudience: 'my-client' };

function problemsOf(context: Record<string, unknown>): readonly string[] {
  try {
    parseDeploymentConfig(context);
  } catch (error) {
    expect(error).toBeInstanceOf(DeploymentConfigError);
    return (error as DeploymentConfigError).problems;
  }
  throw new Error('expected the configuration to be refused');
}

describe('parseDeploymentConfig', () => {
  it('applies the documented defaults when only issuer and audience are given', () => {
    const config = parseDeploymentConfig(AUTH);
    expect(config).toEqual({
      addMediaEnabled: true,
      auth: {
        verifier: { kind: 'generated-secret' },
        issuer: AUTH.authIssuer,
        audience: AUTH.authAudience,
        cookieName: 'session',
      },
      allowedOrigins: [],
      allowedAssumeRoleArns: [],
      sourceBucketNames: [],
      assumeRoleExternalId: undefined,
      useSpotDefault: true,
      gpuInstance: DEFAULT_GPU_INSTANCE,
      maxShards: 200,
      maxConcurrency: 20,
      similarityThreshold: 0.9,
      modelUri: undefined,
      defaultEmbeddingConfig: undefined,
      natGateways: 0,
      logRetention: 30,
      stagingExpirationDays: 3,
      throttleRateLimit: 50,
      throttleBurstLimit: 100,
      maxUploadBytes: 4 * 1024 * 1024,
      maxDatasetsPerUser: 1000,
      maxActiveOperationsPerUser: 4,
    });
    expect(config.maxUploadBytes).toBe(CONFIG_DEFAULTS.maxUploadBytes);
  });

  it('reads the strings that `cdk -c key=value` passes', () => {
    const config = parseDeploymentConfig({
      ...AUTH,
      addMediaEnabled: 'FALSE',
      useSpotDefault: 'false',
      maxShards: '500',
      similarityThreshold: '0.85',
      allowedOrigins: 'https://a.example.com, https://b.example.com:8443',
      allowedAssumeRoleArns: '["arn:aws:iam::123456789012:role/reader","arn:aws:iam::*:role/vl-*"]',
      gpuInstance: '{"vcpuMax": 16, "acceleratorNames": ["l40s"]}',
      logRetentionDays: '365',
    });
    expect(config).toMatchObject({
      addMediaEnabled: false,
      useSpotDefault: false,
      maxShards: 500,
      similarityThreshold: 0.85,
      allowedOrigins: ['https://a.example.com', 'https://b.example.com:8443'],
      allowedAssumeRoleArns: ['arn:aws:iam::123456789012:role/reader', 'arn:aws:iam::*:role/vl-*'],
      logRetention: 365,
    });
    expect(config.gpuInstance).toEqual({
      ...DEFAULT_GPU_INSTANCE,
      vcpuMax: 16,
      acceleratorNames: [ec2.AcceleratorName.L40S],
    });
  });

  it('offers only accelerator names the capacity provider schema accepts (no l4), and [] for no name filter', () => {
    expect(DEFAULT_GPU_INSTANCE.acceleratorNames).not.toContain(ec2.AcceleratorName.L4);
    expect(problemsOf({ ...AUTH, gpuInstance: { acceleratorNames: ['l4'] } })).toEqual([
      expect.stringMatching(
        /^gpuInstance\.acceleratorNames must be a list of (?:(?!\bl4\b)[^"])*l40s, got "\["l4"\]"$/,
      ),
    ]);
    const g6 = parseDeploymentConfig({
      ...AUTH,
      gpuInstance: '{"acceleratorNames": [], "allowedInstanceTypes": ["g6.*"]}',
    });
    expect(g6.gpuInstance).toMatchObject({ acceleratorNames: [], allowedInstanceTypes: ['g6.*'] });
  });

  it('caps maxConcurrency at 40, what an inline Map runs at once', () => {
    expect(parseDeploymentConfig({ ...AUTH, maxConcurrency: 40 }).maxConcurrency).toBe(40);
    expect(problemsOf({ ...AUTH, maxConcurrency: '41' })).toEqual([
      'maxConcurrency must be an integer from 1 to 40, got "41"',
    ]);
  });

  it('takes one alarm e-mail address', () => {
    expect(parseDeploymentConfig({ ...AUTH, alarmEmail: 'ops@example.com' }).alarmEmail).toBe('ops@example.com');
    expect(parseDeploymentConfig(AUTH).alarmEmail).toBeUndefined();
    expect(problemsOf({ ...AUTH, alarmEmail: 'ops@example.com,dev@example.com' })).toEqual([
      expect.stringMatching(/^alarmEmail must be one e-mail address .*, got "ops@example.com,dev@example.com"$/),
    ]);
  });

  it('picks the JWKS or the given secret as key source', () => {
    const jwksUrl = 'https://login.example.com/.well-known/jwks.json';
    expect(parseDeploymentConfig({ ...AUTH, authJwksUrl: jwksUrl }).auth.verifier).toEqual({ kind: 'jwks', jwksUrl });
    const secretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:vl/jwt-AbC123';
    expect(parseDeploymentConfig({ ...AUTH, authJwtSecretArn: secretArn }).auth.verifier).toEqual({
      kind: 'secret',
      secretArn,
    });
  });

  it('reports every problem at once, each with the key, the bad value and the fix', () => {
    const problems = problemsOf({
      authJwksUrl: 'http://insecure.example.com/jwks.json',
      authJwtSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:vl/jwt',
      addMediaEnabled: 'yes',
      maxShards: '0',
      similarityThreshold: '1.5',
      logRetentionDays: 31,
      maxUploadBytes: 10 * 1024 * 1024,
      allowedOrigins: ['https://app.example.com/'],
      allowedAssumeRoleArns: ['arn:aws:iam::123456789012:user/alice'],
      authCookieName: 'my session',
    });
    const expected: [string, string][] = [
      ['authIssuer is not set', 'set it to the `iss`'],
      ['authAudience is not set', 'set it to the `aud`'],
      ['authJwksUrl must be an https:// URL', 'got "http://insecure.example.com/jwks.json"'],
      [
        'authJwtSecretArn must be the complete Secrets Manager secret ARN, 6-character suffix included',
        'got "arn:aws:secretsmanager:eu-west-1:123456789012:secret:vl/jwt"',
      ],
      ['addMediaEnabled must be true or false', 'got "yes"'],
      ['maxShards must be an integer from 1 to 1000', 'got "0"'],
      ['similarityThreshold must be a number above 0 and at most 1', 'got "1.5"'],
      ['logRetentionDays must be a CloudWatch Logs retention, one of 1, 3, 5, 7, 14, 30', 'got "31"'],
      [`maxUploadBytes must be an integer from 1 to ${MAX_UPLOAD_BYTES_LIMIT}`, `got "${10 * 1024 * 1024}"`],
      [
        'allowedOrigins must be a list of origins',
        'no path or trailing slash (e.g. https://app.example.com), got "["https://app.example.com/"]"',
      ],
      ['allowedAssumeRoleArns must be a list of IAM role ARNs', 'got "["arn:aws:iam::123456789012:user/alice"]"'],
      ['authCookieName must be a cookie name token', 'got "my session"'],
    ];
    for (const [start, fix] of expected) {
      const problem = problems.find((p) => p.startsWith(start));
      expect(problem, `a problem starting with ${start}`).toBeDefined();
      expect(problem).toContain(fix);
    }
    expect(problems).toHaveLength(expected.length);
  });

  it('refuses both key sources at once', () => {
    const problems = problemsOf({
      ...AUTH,
      authJwksUrl: 'https://login.example.com/jwks.json',
      authJwtSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:vl/jwt-AbC123',
    });
    expect(problems).toEqual([expect.stringContaining('keep exactly one')]);
  });

  it('catches a mistyped key instead of silently deploying the default', () => {
    const problems = problemsOf({
      ...AUTH,
      maxShard: 50,
      '@aws-cdk/core:someFlag': true,
      'aws:cdk:bundling-stacks': [],
    });
    expect(problems).toEqual([expect.stringMatching(/^maxShard is not a known context key; did you mean maxShards\?/)]);
  });

  it('checks the GPU instance requirements as a whole', () => {
    const problems = problemsOf({
      ...AUTH,
      gpuInstance: { vcpuMin: 64, vcpuMax: 8, acceleratorNames: ['rtx4090'], colour: 'green' },
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('gpuInstance.colour is not a known field'),
        expect.stringMatching(/^gpuInstance.acceleratorNames must be a list of .*, got "\["rtx4090"\]"$/),
        expect.stringContaining('gpuInstance.vcpuMin (64) is above vcpuMax (8)'),
      ]),
    );
    expect(problems).toHaveLength(3);
  });

  it('checks the default embedding config with the schema the Lambdas use, model_sha256 kept', () => {
    const embedding = { ...CLIP_LIKE_EMBEDDING, model_sha256: 'a'.repeat(64) };
    const config = parseDeploymentConfig({ ...AUTH, defaultEmbeddingConfig: JSON.stringify(embedding) });
    expect(config.defaultEmbeddingConfig).toEqual(embedding);
    expect(parseEmbeddingConfig(config.defaultEmbeddingConfig)).toEqual(embedding);

    const problems = problemsOf({ ...AUTH, defaultEmbeddingConfig: { ...embedding, dimension: 1, mean: [2, 2, 2] } });
    expect(problems).toEqual([
      'defaultEmbeddingConfig.dimension is 1: must be from 2 to 8192.',
      'defaultEmbeddingConfig.mean.0 is 2: must be from 0 to 1.',
      'defaultEmbeddingConfig.mean.1 is 2: must be from 0 to 1.',
      'defaultEmbeddingConfig.mean.2 is 2: must be from 0 to 1.',
    ]);
    expect(() => parseEmbeddingConfig({ ...embedding, dimension: 1 })).toThrow(/dimension/);
    expect(problemsOf({ ...AUTH, defaultEmbeddingConfig: { ...embedding, model_sha256: 'ABC' } })).toEqual([
      expect.stringContaining('defaultEmbeddingConfig.model_sha256 is "ABC": must be 64 lowercase hex digits'),
    ]);
  });

  it("pins new datasets' embedding config to the worker image's model, or to modelUri's own pin", () => {
    const worker = { workerModelUrl: 'https://models.example.com/clip.onnx', workerModelSha256: 'a'.repeat(64) };
    const embedding = CLIP_LIKE_EMBEDDING;
    expect(parseDeploymentConfig({ ...AUTH, ...worker }).defaultEmbeddingConfig).toEqual({
      ...DEFAULT_EMBEDDING_CONFIG,
      model_sha256: 'a'.repeat(64),
    });
    expect(
      parseDeploymentConfig({ ...AUTH, ...worker, defaultEmbeddingConfig: embedding }).defaultEmbeddingConfig,
    ).toEqual({
      ...embedding,
      model_sha256: 'a'.repeat(64),
    });
    const pinned = { ...embedding, model_sha256: 'a'.repeat(64) };
    expect(
      parseDeploymentConfig({ ...AUTH, ...worker, defaultEmbeddingConfig: pinned }).defaultEmbeddingConfig,
    ).toEqual(pinned);
    const elsewhere = { ...embedding, model_sha256: 'c'.repeat(64) };
    const modelUri = 's3://models-bucket/clip.onnx';
    expect(
      parseDeploymentConfig({ ...AUTH, ...worker, modelUri, defaultEmbeddingConfig: elsewhere }).defaultEmbeddingConfig,
    ).toEqual(elsewhere);
    expect(problemsOf({ ...AUTH, ...worker, modelUri, defaultEmbeddingConfig: embedding })).toEqual([
      expect.stringContaining(`modelUri is ${modelUri} but defaultEmbeddingConfig.model_sha256 is not set`),
    ]);
    expect(problemsOf({ ...AUTH, modelUri })).toEqual([
      expect.stringContaining(`modelUri is ${modelUri} but defaultEmbeddingConfig.model_sha256 is not set`),
    ]);
    expect(
      problemsOf({ ...AUTH, ...worker, defaultEmbeddingConfig: { ...embedding, model_sha256: 'b'.repeat(64) } }),
    ).toEqual([
      `defaultEmbeddingConfig.model_sha256 is ${'b'.repeat(64)} but workerModelSha256 is ${'a'.repeat(64)}: every embed task would refuse the image's model; drop the former or make them agree.`,
    ]);
  });

  it('refuses an ARN pattern with a comma, since the handlers receive the list comma-separated', () => {
    const problems = problemsOf({ ...AUTH, allowedAssumeRoleArns: '["arn:aws:iam::123456789012:role/a,b"]' });
    expect(problems).toEqual([expect.stringContaining('no commas')]);
  });
});

describe('cdk.json', () => {
  const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'));

  it('synthesizes with no flags: its context is a valid configuration', () => {
    const config = parseDeploymentConfig(cdkJson.context);
    expect(config.auth.verifier).toEqual({ kind: 'generated-secret' });
  });

  it('carries no key material: no secret ARN and no JWKS URL to a real provider', () => {
    expect(Object.keys(cdkJson.context).filter((key) => /^auth(JwtSecret|Jwks)/.test(key))).toEqual([]);
    expect(cdkJson.app).toBe('npx tsx bin/app.ts');
  });
});
