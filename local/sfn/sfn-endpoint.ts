import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ExecutionRecord, type LocalStepFunctions, StepFunctionsError } from './local-step-functions';

export interface RunningSfnEndpoint {
  readonly endpoint: string;
  stop(): Promise<void>;
}

const TARGET_PREFIX = 'AWSStepFunctions.';

/**
 * A Step Functions endpoint for the AWS SDK (`AWS_ENDPOINT_URL_SFN`): the awsJson1_0 protocol, operations
 * StartExecution, DescribeExecution and StopExecution, so the API handlers start workflows with their usual client.
 */
export async function startSfnEndpoint(stepFunctions: LocalStepFunctions, port = 0): Promise<RunningSfnEndpoint> {
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      let status = 200;
      let body: unknown;
      try {
        body = dispatch(
          stepFunctions,
          target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target,
          parse(Buffer.concat(chunks)),
        );
      } catch (error) {
        const known = error instanceof StepFunctionsError;
        status = known ? 400 : 500;
        body = { __type: known ? error.type : 'InternalFailure', message: (error as Error).message };
      }
      const text = JSON.stringify(body);
      response.writeHead(status, {
        'content-type': 'application/x-amz-json-1.0',
        'content-length': Buffer.byteLength(text),
      });
      response.end(text);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function parse(body: Buffer): Record<string, string | undefined> {
  try {
    return body.length === 0 ? {} : (JSON.parse(body.toString('utf8')) as Record<string, string | undefined>);
  } catch {
    throw new StepFunctionsError('SerializationException', 'Request body is not valid JSON');
  }
}

function dispatch(
  stepFunctions: LocalStepFunctions,
  operation: string,
  request: Record<string, string | undefined>,
): unknown {
  switch (operation) {
    case 'StartExecution': {
      const started = stepFunctions.startExecution(request);
      return { executionArn: started.executionArn, startDate: epochSeconds(started.startDate) };
    }
    case 'DescribeExecution':
      return describe(stepFunctions.describeExecution(request.executionArn));
    case 'StopExecution':
      return {
        stopDate: epochSeconds(
          stepFunctions.stopExecution(request.executionArn, request.error, request.cause).stopDate,
        ),
      };
    default:
      throw new StepFunctionsError(
        'UnknownOperationException',
        `Operation ${operation || '(none)'} is not served by the local Step Functions`,
      );
  }
}

function describe(execution: ExecutionRecord) {
  return {
    executionArn: execution.executionArn,
    stateMachineArn: execution.stateMachineArn,
    name: execution.name,
    status: execution.status,
    startDate: epochSeconds(execution.startDate),
    ...(execution.stopDate ? { stopDate: epochSeconds(execution.stopDate) } : {}),
    input: execution.input,
    inputDetails: { included: true },
    ...(execution.output !== undefined ? { output: execution.output, outputDetails: { included: true } } : {}),
    ...(execution.error !== undefined ? { error: execution.error } : {}),
    ...(execution.cause !== undefined ? { cause: execution.cause } : {}),
  };
}

const epochSeconds = (date: Date) => date.getTime() / 1000;
