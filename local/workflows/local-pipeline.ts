import { join } from 'node:path';
import type { LocalStateMachine } from '../sfn/local-step-functions';
import { loadStateMachineDefinition } from './state-machine-definition';

const ACCOUNT = '000000000000';

/** The pipeline Lambdas the state machines invoke, by the placeholder of their ARN → folder under lambdas/. */
const PIPELINE_FUNCTIONS = {
  PlanFunctionArn: 'plan',
  FinalizeFunctionArn: 'finalize',
  FinishReindexFunctionArn: 'finish-reindex',
  MarkFailedFunctionArn: 'mark-failed',
} as const;

export const PIPELINE_FUNCTION_NAMES: ReadonlySet<string> = new Set(Object.values(PIPELINE_FUNCTIONS));

export interface LocalPipelineArns {
  readonly addMedia: string;
  readonly reindex: string;
}

export const localStateMachineArns = (region: string): LocalPipelineArns => ({
  addMedia: `arn:aws:states:${region}:${ACCOUNT}:stateMachine:add-media`,
  reindex: `arn:aws:states:${region}:${ACCOUNT}:stateMachine:reindex`,
});

/** Names the capacity the plan Lambda chooses from; locally they only show up in the logs. */
export const LOCAL_CAPACITY = {
  gpuSpot: 'local-gpu-spot',
  gpuOnDemand: 'local-gpu-on-demand',
  gpuTaskDefinition: `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/local-gpu:1`,
  cpuTaskDefinition: `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/local-cpu:1`,
  subnets: 'subnet-local',
  securityGroups: 'sg-local',
} as const;

/**
 * As in the cloud's task definitions (lib/pipeline/worker-tasks.ts), the CPU one pins ONNX Runtime to the CPU; the GPU
 * one, which sets `cuda` there, is left to choose locally (CUDA when this machine has it, else the CPU).
 */
export const LOCAL_TASK_DEFINITION_ENVIRONMENT: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  [LOCAL_CAPACITY.cpuTaskDefinition]: { EXECUTION_PROVIDER: 'cpu' },
  [LOCAL_CAPACITY.gpuTaskDefinition]: {},
};

/** What the CDK substitutes into the ASL files, with local stand-ins: function ARNs name handler folders. */
function localSubstitutions(region: string): Record<string, string> {
  const functions = Object.fromEntries(
    Object.entries(PIPELINE_FUNCTIONS).map(([placeholder, name]) => [
      placeholder,
      `arn:aws:lambda:${region}:${ACCOUNT}:function:${name}`,
    ]),
  );
  return {
    ...functions,
    ClusterArn: `arn:aws:ecs:${region}:${ACCOUNT}:cluster/local`,
    CpuTaskDefinitionArn: LOCAL_CAPACITY.cpuTaskDefinition,
    SubnetIds: LOCAL_CAPACITY.subnets,
    SecurityGroupIds: LOCAL_CAPACITY.securityGroups,
    AssignCpu: '1024',
    AssignMemory: '2048',
    ClusterCpu: '2048',
    ClusterMemory: '4096',
  };
}

/** statemachines/add-media.asl.json and reindex.asl.json, as deployed, under their local ARNs. */
export function loadLocalStateMachines(repoRoot: string, region: string): LocalStateMachine[] {
  const arns = localStateMachineArns(region);
  const substitutions = localSubstitutions(region);
  return [
    {
      arn: arns.addMedia,
      definition: loadStateMachineDefinition(join(repoRoot, 'statemachines', 'add-media.asl.json'), substitutions),
    },
    {
      arn: arns.reindex,
      definition: loadStateMachineDefinition(join(repoRoot, 'statemachines', 'reindex.asl.json'), substitutions),
    },
  ];
}
