import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../local/runtime';
import { loadLocalStateMachines } from '../../local/workflows/local-pipeline';
import {
  forEachState,
  loadStateMachineDefinition,
  MAX_LOCAL_TASK_TIMEOUT_SECONDS,
} from '../../local/workflows/state-machine-definition';
import { localTaskHandlers } from '../../local/workflows/task-handlers';

const scratch = mkdtempSync(join(tmpdir(), 'asl-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function writeAsl(definition: unknown): string {
  const file = join(scratch, `${Math.random().toString(36).slice(2)}.asl.json`);
  writeFileSync(file, JSON.stringify(definition));
  return file;
}

describe('state machine definitions, as the local runtime loads them', () => {
  it('substitutes every ${placeholder} like the CDK and refuses one without a value', () => {
    const file = writeAsl({
      StartAt: 'A',
      States: {
        A: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: '${Fn}', Other: 'x-${Missing}-${Gone}' },
          End: true,
        },
      },
    });

    expect(() => loadStateMachineDefinition(file, { Fn: 'f' })).toThrow(
      'no local value for placeholder(s) ${Missing}, ${Gone}',
    );
    const definition = loadStateMachineDefinition(file, { Fn: 'arn:fn', Missing: 'm', Gone: 'g' });
    expect(definition.States.A).toMatchObject({ Parameters: { FunctionName: 'arn:fn', Other: 'x-m-g' } });
  });

  it("gives Task states AWS's unbounded default timeout, clamped to what a Node timer can wait, nested states included", () => {
    const file = writeAsl({
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          ItemProcessor: {
            StartAt: 'Inner',
            States: { Inner: { Type: 'Task', Resource: 'arn:aws:states:::ecs:runTask.sync', End: true } },
          },
          Next: 'Short',
        },
        Short: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', TimeoutSeconds: 300, End: true },
      },
    });

    const definition = loadStateMachineDefinition(file, {});
    const timeouts: Record<string, unknown> = {};
    forEachState(definition.States, (name, state) => (timeouts[name] = state.TimeoutSeconds));
    expect(timeouts).toEqual({ M: undefined, Inner: MAX_LOCAL_TASK_TIMEOUT_SECONDS, Short: 300 });
    expect(MAX_LOCAL_TASK_TIMEOUT_SECONDS * 1000).toBeLessThanOrEqual(2 ** 31 - 1);
  });

  it('loads the real ASL files with local values for every placeholder and a local implementation for every Task', () => {
    const machines = loadLocalStateMachines(REPO_ROOT, 'us-east-1');
    const scope = {
      executionArn: 'arn',
      executionName: 'n',
      signal: new AbortController().signal,
      log: () => undefined,
    };
    const services = {
      resolveLambda: async () => async () => null,
      worker: { repoRoot: REPO_ROOT, baseEnvironment: {} },
    };

    for (const machine of machines) {
      const tasks: string[] = [];
      forEachState(machine.definition.States, (name, state) => state.Type === 'Task' && tasks.push(name));
      expect(JSON.stringify(machine.definition)).not.toMatch(/\$\{\w+\}/);
      expect(Object.keys(localTaskHandlers(machine.definition, services, scope)).sort()).toEqual(tasks.sort());
    }
  });
});
