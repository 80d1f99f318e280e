import { describe, expect, it } from 'vitest';
import { checkCalls, loadSnapshotTemplate } from '../support/iam-gate/iam-gate';
import type { RecordedCall } from '../support/iam-gate/recorded-calls';

const ENV = { BUCKET_NAME: 'test-bucket', TABLE_NAME: 'test-table' };
const ERROR_REPORT = 'datasets/ds-1/batches/op-1/errors/embed-3.json';

/** What mark-failed sends when a worker left an error report (core/pipeline/worker-error-report.ts). */
const markFailedCalls: RecordedCall[] = [
  {
    service: 'S3',
    command: 'ListObjectsV2',
    input: { Bucket: 'test-bucket', Prefix: 'datasets/ds-1/batches/op-1/errors/' },
    caller: { kind: 'lambda', name: 'mark-failed' },
    env: ENV,
  },
  {
    service: 'S3',
    command: 'GetObject',
    input: { Bucket: 'test-bucket', Key: ERROR_REPORT },
    caller: { kind: 'lambda', name: 'mark-failed' },
    env: ENV,
  },
  {
    service: 'DynamoDB',
    command: 'Update',
    input: { TableName: 'test-table' },
    caller: { kind: 'lambda', name: 'mark-failed' },
    env: ENV,
  },
];

/** The snapshot template as it was before the fix: mark-failed's role without the error-report read. */
function withoutErrorReportRead() {
  const template = loadSnapshotTemplate();
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::IAM::Policy') continue;
    const document = resource.Properties!.PolicyDocument as { Statement: { Sid?: string }[] };
    document.Statement = document.Statement.filter((statement) => statement.Sid !== 'ReadWorkerErrorReports');
  }
  return template;
}

describe('IAM gate', () => {
  it("allows mark-failed's calls with the synthesized role", () => {
    const result = checkCalls(loadSnapshotTemplate(), markFailedCalls);
    expect(result.violations).toEqual([]);
    expect(result.checked).toBe(3);
  });

  it('fails on the mark-failed role before the fix (no GetObject on the error reports)', () => {
    expect(checkCalls(withoutErrorReportRead(), markFailedCalls).violations).toEqual([
      `lambda mark-failed: s3:GetObject on arn:aws:s3:::{DeploymentBucket}/${ERROR_REPORT}`,
    ]);
  });

  it('evaluates conditions conservatively: a listing outside the allowed prefixes is refused', () => {
    const listing: RecordedCall = { ...markFailedCalls[0]!, input: { Bucket: 'test-bucket', Prefix: 'datasets/' } };
    expect(checkCalls(loadSnapshotTemplate(), [listing]).violations).toEqual([]);
    const elsewhere: RecordedCall = { ...markFailedCalls[0]!, input: { Bucket: 'test-bucket' } };
    expect(checkCalls(loadSnapshotTemplate(), [elsewhere]).violations).toEqual([
      'lambda mark-failed: s3:ListBucket on arn:aws:s3:::{DeploymentBucket} ({"s3:prefix":""})',
    ]);
  });

  it("checks a worker's calls against the task role", () => {
    const write: RecordedCall = {
      service: 'S3',
      command: 'PutObject',
      input: { Bucket: 'own', Key: 'datasets/ds-1/batches/op-1/embeddings/shard-0.f32' },
      caller: { kind: 'worker', name: 'embed' },
      env: {},
    };
    const staging: RecordedCall = { ...write, input: { Bucket: 'own', Key: 'staging/ds-1/op-1/a.jpg' } };
    expect(checkCalls(loadSnapshotTemplate(), [write]).violations).toEqual([]);
    expect(checkCalls(loadSnapshotTemplate(), [staging]).violations).toEqual([
      'worker embed: s3:PutObject on arn:aws:s3:::{DeploymentBucket}/staging/ds-1/op-1/a.jpg',
    ]);
  });
});
