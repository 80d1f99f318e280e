import { createRequire } from 'node:module';

/** Which deployed code made a call: a Lambda (lambdas/<name>/handler.ts) or a worker task (workers/<task>/). */
export interface Caller {
  readonly kind: 'lambda' | 'worker';
  readonly name: string;
}

/** One SDK command as the client sent it, with the environment names the process had at that moment. */
export interface RecordedCall {
  readonly service: string;
  readonly command: string;
  readonly input: Readonly<Record<string, unknown>>;
  readonly caller: Caller;
  /** process.env values that name deployment resources (BUCKET_NAME, TABLE_NAME, state machine and secret ARNs). */
  readonly env: Readonly<Record<string, string>>;
}

const RESOURCE_ENV = [
  'BUCKET_NAME',
  'TABLE_NAME',
  'ADD_MEDIA_STATE_MACHINE_ARN',
  'REINDEX_STATE_MACHINE_ARN',
  'AUTH_JWT_SECRET_ARN',
] as const;
const WORKER_TASKS = new Set(['discover', 'embed', 'assign', 'cluster']);
const SHARED_LAMBDA_DIRS = new Set(['http', 'auth', 'requests']);

type Send = (this: SdkClient, command: SdkCommand, ...rest: unknown[]) => unknown;
interface SdkClient {
  readonly config: { readonly serviceId?: string };
}
interface SdkCommand {
  readonly input: Record<string, unknown>;
  readonly constructor: { readonly name: string };
}

// Every SDK v3 client (and lib-dynamodb's document client) sends through this one class of @smithy/core.
const { Client } = createRequire(import.meta.url)('@smithy/core/client') as { Client: { prototype: { send: Send } } };

/**
 * Records every command sent by deployed code (found on the call stack) until the returned function is called.
 * Calls made by the tests themselves (seeding, assertions) have no such caller and are not recorded.
 */
export function recordAwsCalls(onCall: (call: RecordedCall) => void): () => void {
  const original = Client.prototype.send;
  Client.prototype.send = function (this: SdkClient, command: SdkCommand, ...rest: unknown[]) {
    const caller = callerOf(stackNow());
    if (caller) {
      onCall({
        service: this.config.serviceId ?? 'unknown',
        command: command.constructor.name.replace(/Command$/, ''),
        input: command.input,
        caller,
        env: Object.fromEntries(RESOURCE_ENV.flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : []))),
      });
    }
    return original.call(this, command, ...rest);
  };
  return () => {
    Client.prototype.send = original;
  };
}

function stackNow(): string {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 80;
  try {
    return new Error().stack ?? '';
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** The handler or worker task nearest the call on the (async) stack. */
function callerOf(stack: string): Caller | undefined {
  for (const line of stack.split('\n')) {
    const path = line.replaceAll('\\', '/');
    const lambda = path.match(/\/lambdas\/([a-z-]+)\/handler\.ts/);
    if (lambda && !SHARED_LAMBDA_DIRS.has(lambda[1]!)) return { kind: 'lambda', name: lambda[1]! };
    const worker = path.match(/\/workers\/([a-z-]+)\//);
    if (worker && WORKER_TASKS.has(worker[1]!)) return { kind: 'worker', name: worker[1]! };
  }
  return undefined;
}
