import { readFileSync } from 'node:fs';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';

/**
 * The longest Task timeout a local execution can honour: aws-local-stepfunctions arms a setTimeout, and Node fires
 * timers above 2^31-1 ms at once. AWS's own default (99999999 s, when a Task sets none) is clamped to this (~24 days).
 */
export const MAX_LOCAL_TASK_TIMEOUT_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

const PLACEHOLDER = /\$\{(\w+)\}/g;

/**
 * Reads an ASL file the way the CDK deploys it (`DefinitionBody.fromFile` + `definitionSubstitutions`): every `${Name}`
 * in a string is replaced; a placeholder without a value is an error, so a new one in the ASL cannot go unnoticed.
 */
export function loadStateMachineDefinition(
  file: string,
  substitutions: Readonly<Record<string, string>>,
): StateMachineDefinition {
  const missing = new Set<string>();
  const definition = JSON.parse(readFileSync(file, 'utf8'), (_key, value: unknown) =>
    typeof value === 'string'
      ? value.replace(PLACEHOLDER, (whole, name: string) => {
          const substitute = substitutions[name];
          if (substitute === undefined) missing.add(name);
          return substitute ?? whole;
        })
      : value,
  ) as StateMachineDefinition;
  if (missing.size > 0)
    throw new Error(
      `${file}: no local value for placeholder(s) ${[...missing].map((name) => `\${${name}}`).join(', ')}`,
    );
  applyTaskTimeouts(definition.States);
  return definition;
}

export type AnyState = StateMachineDefinition['States'][string] & Record<string, unknown>;

/** Calls `visit` for every state, nested Map iterators and Parallel branches included (state names are unique machine-wide). */
export function forEachState(
  states: StateMachineDefinition['States'],
  visit: (name: string, state: AnyState) => void,
): void {
  for (const [name, state] of Object.entries(states) as [string, AnyState][]) {
    visit(name, state);
    const nested = [state.ItemProcessor, state.Iterator, ...((state.Branches as unknown[] | undefined) ?? [])];
    for (const machine of nested) if (machine) forEachState((machine as StateMachineDefinition).States, visit);
  }
}

function applyTaskTimeouts(states: StateMachineDefinition['States']): void {
  forEachState(states, (_name, state) => {
    if (state.Type !== 'Task' || state.TimeoutSecondsPath !== undefined) return;
    const seconds = typeof state.TimeoutSeconds === 'number' ? state.TimeoutSeconds : Number.POSITIVE_INFINITY;
    state.TimeoutSeconds = Math.min(seconds, MAX_LOCAL_TASK_TIMEOUT_SECONDS);
  });
}
