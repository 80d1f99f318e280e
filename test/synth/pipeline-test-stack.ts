import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { parseDeploymentConfig } from '../../lib/config';
import { addNagChecks } from '../../lib/nag';
import { acknowledge } from '../../lib/pipeline/nag-references';
import { Pipeline } from '../../lib/pipeline/pipeline';
import { TEST_WORKER_MODEL, testApp } from './synth-app';

export interface PipelineTestStack {
  readonly stack: Stack;
  readonly pipeline: Pipeline;
  readonly template: Template;
  readonly table: dynamodb.TableV2;
  readonly bucket: s3.Bucket;
}

/**
 * The Pipeline construct alone in a stack of its own (with a table and a bucket), built from `config` (context keys of
 * lib/config.ts) and synthesized with the project's cdk-nag packs and CloudFormation's schema check: synthesis throws
 * on any finding without a written reason. Lambda bundling is skipped (entries must still exist); bundles.test.ts
 * bundles them.
 */
export function synthPipeline(config: Record<string, unknown> = {}): PipelineTestStack {
  const app = testApp({}, { cfnValidation: true });
  const stack = new Stack(app, 'PipelineTest', { env: { account: '123456789012', region: 'eu-west-1' } });
  const table = new dynamodb.TableV2(stack, 'Table', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const bucket = new s3.Bucket(stack, 'Bucket', {
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  });
  acknowledge(
    bucket,
    'AwsSolutions-S1',
    'Test fixture standing in for the media bucket, whose access logging lib/media-bucket.ts owns.',
  );
  const deployment = parseDeploymentConfig({
    authIssuer: 'https://issuer.example.com',
    authAudience: 'pipeline-tests',
    ...TEST_WORKER_MODEL,
    ...config,
  });
  const pipeline = new Pipeline(stack, 'Pipeline', { table, bucket, config: deployment });
  addNagChecks(app);
  app.synth();
  return { stack, pipeline, template: Template.fromStack(stack), table, bucket };
}
