import { readFileSync } from 'node:fs';
import { iamRequestsOf, type Unchecked } from './iam-requests';
import type { RecordedCall } from './recorded-calls';
import { type CfnTemplate, isAllowed, statementsOf } from './role-policies';

/** The reviewed template of the default deployment, which test/synth/snapshot.test.ts keeps equal to `cdk synth`. */
const SNAPSHOT_TEMPLATE = new URL('../../synth/__snapshots__/AddMediaBackend.template.json', import.meta.url);

export function loadSnapshotTemplate(): CfnTemplate {
  return JSON.parse(readFileSync(SNAPSHOT_TEMPLATE, 'utf8')) as CfnTemplate;
}

export interface GateResult {
  /** `<caller>: <action> on <resource>` for every request no statement of the caller's role allows. */
  readonly violations: readonly string[];
  readonly unchecked: readonly Unchecked[];
  readonly checked: number;
}

/** Checks each recorded call against the synthesized policy of the role its caller runs as. */
export function checkCalls(template: CfnTemplate, calls: readonly RecordedCall[]): GateResult {
  const violations = new Set<string>();
  const unchecked: Unchecked[] = [];
  let checked = 0;
  const statements = new Map<string, ReturnType<typeof statementsOf>>();
  for (const call of calls) {
    const requests = iamRequestsOf(call);
    if (!Array.isArray(requests)) {
      unchecked.push(requests);
      continue;
    }
    const who = `${call.caller.kind} ${call.caller.name}`;
    if (!statements.has(who)) statements.set(who, statementsOf(template, call.caller));
    for (const request of requests) {
      checked += 1;
      if (!isAllowed(statements.get(who)!, request))
        violations.add(`${who}: ${request.action} on ${request.resource}${contextText(request.context)}`);
    }
  }
  return { violations: [...violations].sort(), unchecked, checked };
}

const contextText = (context: Readonly<Record<string, string>>) =>
  Object.keys(context).length ? ` (${JSON.stringify(context)})` : '';
