import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../local/runtime';
import { localCause } from '../../local/sfn/local-cause';
import { runWorkerTask } from '../../local/workflows/ecs-worker-task';

describe('local logs of worker tasks', () => {
  it('name the worker process and its pid, not ECS capacity providers; a failure reads as the worker error', async () => {
    const lines: string[] = [];
    const scope = {
      executionArn: 'arn',
      executionName: 'op-1',
      signal: new AbortController().signal,
      log: (line: string) => lines.push(line),
    };
    const failure = await runWorkerTask(
      { repoRoot: REPO_ROOT, baseEnvironment: { PATH: process.env.PATH!, TASK: 'no-such-task' } },
      {
        TaskDefinition: 'arn:aws:ecs:us-east-1:000000000000:task-definition/gpu',
        CapacityProviderStrategy: [{ CapacityProvider: 'local-gpu-spot', Weight: 1 }],
      },
      scope,
      60,
    ).catch((error: Error) => error);

    expect(lines[0]).toMatch(/^worker no-such-task: started as process \d+$/);
    expect(lines.at(-1)).toMatch(/^worker no-such-task: process \d+ exited with code 1 after [\d.]+ s$/);
    expect(lines.join('\n')).not.toMatch(/capacity provider|TaskArn/);
    expect(localCause((failure as Error).message)).toBe(
      'worker process failed: {"error":"Unknown task \\"no-such-task\\"; known tasks: discover, embed, assign, cluster"}',
    );
  });

  it('leaves other causes as they are', () => {
    expect(localCause('Lambda failed: boom')).toBe('Lambda failed: boom');
    expect(localCause('{"errorMessage":"x"}')).toBe('{"errorMessage":"x"}');
  });
});
