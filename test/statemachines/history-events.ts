import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { forEachState } from '../../local/workflows/state-machine-definition';
import type { AslRunResult } from '../support/asl-runner';

/**
 * The number of events an execution adds to its Step Functions history, derived from a local run: AWS writes
 * - ExecutionStarted and ExecutionSucceeded/Failed;
 * - <Type>StateEntered and <Type>StateExited per state visited (a Fail state only enters);
 * - for a Map, MapStateStarted and MapStateSucceeded/Failed, and MapIterationStarted + Succeeded/Failed per item;
 * - per Task attempt, TaskScheduled, TaskStarted and TaskSucceeded/Failed, plus TaskSubmitted for `.sync` integrations.
 * The local event log has the visits and iterations, the recorded calls have the attempts.
 */
export function historyEventCount(definition: StateMachineDefinition, run: AslRunResult): number {
  const types = new Map<string, string>();
  forEachState(definition.States, (name, state) => types.set(name, state.Type));
  let count = 2;
  for (const event of run.events) {
    if (event.type === 'StateEntered' || event.type === 'StateExited') {
      count += types.get(event.state.name) === 'Map' ? 2 : 1;
    } else if (event.type.startsWith('MapIteration')) {
      count += 1;
    }
  }
  for (const call of run.calls) count += call.resource.endsWith('.sync') ? 4 : 3;
  return count;
}
