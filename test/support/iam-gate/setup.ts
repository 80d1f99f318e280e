import { afterAll, expect } from 'vitest';
import { checkCalls, loadSnapshotTemplate } from './iam-gate';
import { type RecordedCall, recordAwsCalls } from './recorded-calls';

/**
 * The IAM gate, in every test file: each AWS call a Lambda handler or a worker makes while the file's tests run is
 * checked, when the file ends, against that function's or the task role's synthesized policy. A missing grant fails
 * the file instead of a production run.
 */
const calls: RecordedCall[] = [];
recordAwsCalls((call) => calls.push(call));

afterAll(() => {
  if (calls.length === 0) return;
  const { violations } = checkCalls(loadSnapshotTemplate(), calls);
  expect(violations, 'AWS calls the synthesized IAM policies do not allow (test/support/iam-gate)').toEqual([]);
});
