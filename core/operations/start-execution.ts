import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';

/**
 * Starts the workflow with the operation id as execution name (docs/pipeline.md). The name is a UUID made for this
 * request and the input is built once, so an ExecutionAlreadyExists can only come from this very call being retried by
 * the SDK after the first attempt got through: the execution we asked for exists, which is success.
 */
export async function startExecution(
  sfn: SFNClient,
  stateMachineArn: string,
  operationId: string,
  input: object,
): Promise<void> {
  try {
    await sfn.send(new StartExecutionCommand({ stateMachineArn, name: operationId, input: JSON.stringify(input) }));
  } catch (error) {
    if (error instanceof ExecutionAlreadyExists) return;
    throw error;
  }
}
