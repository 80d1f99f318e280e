import { describe, expect, it } from 'vitest';
import { MAX_ERROR_LENGTH, readableFailure } from '../../core/pipeline/failure-message';

/** What Step Functions puts in Cause when an ecs:runTask.sync task stops with a failure (DescribeTasks, PascalCase). */
const ecsTask = (overrides: Record<string, unknown>) =>
  JSON.stringify({
    ClusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/pipeline',
    Containers: [{ Name: 'worker', ExitCode: 1, LastStatus: 'STOPPED' }],
    LastStatus: 'STOPPED',
    Overrides: {
      ContainerOverrides: [
        { Name: 'worker', Environment: [{ Name: 'EMBEDDING_CONFIG', Value: '{"model_id":"m","dimension":8}' }] },
      ],
    },
    StopCode: 'EssentialContainerExited',
    StoppedReason: 'Essential container in task exited',
    TaskArn: 'arn:aws:ecs:us-east-1:123456789012:task/pipeline/abc',
    ...overrides,
  });

describe('readableFailure', () => {
  it('names the stop reason and the container exit code of a failed ECS task', () => {
    expect(readableFailure({ Error: 'States.TaskFailed', Cause: ecsTask({}) })).toBe(
      'ECS task stopped (EssentialContainerExited): Essential container in task exited; container worker exited with code 1',
    );
  });

  it('explains a spot interruption', () => {
    const cause = ecsTask({
      StopCode: 'SpotInterruption',
      StoppedReason: 'Your Spot Task was interrupted.',
      Containers: [{ Name: 'worker', LastStatus: 'STOPPED' }],
    });
    expect(readableFailure({ Error: 'States.TaskFailed', Cause: cause })).toBe(
      'ECS task stopped (SpotInterruption): Your Spot Task was interrupted.',
    );
  });

  it('includes a container reason such as an image pull failure', () => {
    const cause = ecsTask({
      StopCode: 'TaskFailedToStart',
      StoppedReason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s)',
      Containers: [{ Name: 'worker', Reason: 'CannotPullContainerError' }],
    });
    expect(readableFailure({ Error: 'States.TaskFailed', Cause: cause })).toBe(
      'ECS task stopped (TaskFailedToStart): CannotPullContainerError: pull image manifest has been retried 5 time(s); ' +
        'container worker failed: CannotPullContainerError',
    );
  });

  it('reports why ECS could not place the task', () => {
    const cause = JSON.stringify({
      Failures: [{ Arn: 'arn:x', Reason: 'RESOURCE:GPU' }, { Reason: 'RESOURCE:GPU' }],
      Tasks: [],
    });
    expect(readableFailure({ Error: 'ECS.AmazonECSException', Cause: cause })).toBe(
      'ECS could not start the task: RESOURCE:GPU',
    );
  });

  it('prefers the worker\'s {"error"} line wherever the cause carries it', () => {
    const stderr = 'decoding…\n{"error": "Invalid S3 URI or no media files found at s3://b/x/"}\n';
    expect(readableFailure({ Error: 'WorkerFailed', Cause: stderr })).toBe(
      'Invalid S3 URI or no media files found at s3://b/x/',
    );
    const wrapped = ecsTask({
      Containers: [{ Name: 'worker', ExitCode: 1, Reason: '{"error":"Archive entry ../x escapes"}' }],
    });
    expect(readableFailure({ Error: 'States.TaskFailed', Cause: wrapped })).toBe('Archive entry ../x escapes');
  });

  it("uses a Lambda error's errorMessage", () => {
    const cause = JSON.stringify({
      errorType: 'MissingArtifact',
      errorMessage: 's3://b/k does not exist',
      trace: ['at x', 'at y'],
    });
    expect(readableFailure({ Error: 'MissingArtifact', Cause: cause })).toBe('s3://b/k does not exist');
  });

  it('falls back to "Error: Cause", on one line', () => {
    expect(readableFailure({ Error: 'States.Runtime', Cause: 'The JSONPath $.plan\ncould not be found' })).toBe(
      'States.Runtime: The JSONPath $.plan could not be found',
    );
    expect(readableFailure({ Error: 'States.Timeout' })).toBe('States.Timeout');
    expect(readableFailure(undefined)).toBe('Error');
  });

  it(`shortens long messages to ${MAX_ERROR_LENGTH} characters`, () => {
    const message = readableFailure({ Error: 'States.TaskFailed', Cause: 'x'.repeat(5000) });
    expect(message).toHaveLength(MAX_ERROR_LENGTH);
    expect(message.startsWith('States.TaskFailed: xxx')).toBe(true);
    expect(message.endsWith('…')).toBe(true);
  });
});
