import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDocumentClient } from '../core/aws/dynamo-client';
import { createS3Client } from '../core/aws/s3-client';
import { LOCAL_EMBEDDING_CONFIG } from '../core/datasets/embedding-config';
import { buildDefaultEncoder } from '../core/model/default-encoder';
import { ensureModelFile } from '../core/model/model-file';
import { operationEventSink } from '../core/pipeline/operation-event-sinks';
import { recoverInterruptedOperations } from '../core/pipeline/stale-lock-recovery';
import type { LocalConfig } from './config';
import { type RunningDynamoServer, startEmbeddedDynamo } from './embedded/dynamo-server';
import { ensureTable } from './embedded/ensure-table';
import { type RunningS3Server, startS3Server } from './embedded/s3-server';
import { handlerEnvironment, LOCAL_CREDENTIALS, type LocalModel, workerBaseEnvironment } from './environment';
import { createLocalApiServer } from './http/local-api-server';
import { forwardStatusChange } from './lambda/execution-status-change';
import { loadLambdaHandler } from './lambda/lambda-handlers';
import { LocalStepFunctions } from './sfn/local-step-functions';
import { startSfnEndpoint } from './sfn/sfn-endpoint';
import {
  LOCAL_TASK_DEFINITION_ENVIRONMENT,
  loadLocalStateMachines,
  localStateMachineArns,
  PIPELINE_FUNCTION_NAMES,
} from './workflows/local-pipeline';
import { bundleLocalWorkers } from './workflows/worker-bundle';
import { WorkerSlots } from './workflows/worker-slots';

export const REPO_ROOT = join(import.meta.dirname, '..');
const DEFAULT_MODEL_FILE = `${LOCAL_EMBEDDING_CONFIG.model_id}.onnx`;

export interface RunningLocalService {
  readonly url: string;
  readonly s3Endpoint: string;
  readonly model: LocalModel;
  readonly recovered: number;
  stop(): Promise<void>;
}

/**
 * Starts the whole system on this machine: dynalite and s3rver persisted under DATA_DIR, the state machines on an
 * in-process Step Functions endpoint, and the HTTP API in front of the unchanged Lambda handlers. Before serving, every
 * lock left by the previous run is released: after a restart nothing is running any more.
 */
export async function startLocalService(
  config: LocalConfig,
  log: (message: string) => void,
): Promise<RunningLocalService> {
  // Whatever was started is stopped again, newest first, when a later step fails or at stop().
  const started: (() => Promise<void>)[] = [];
  const stopStarted = async () => {
    for (const stop of started.splice(0).reverse())
      await stop().catch((error: unknown) => log(`stop failed: ${String(error)}`));
  };
  try {
    return await start(config, log, started, stopStarted);
  } catch (error) {
    await stopStarted();
    throw error;
  }
}

async function start(
  config: LocalConfig,
  log: (message: string) => void,
  started: (() => Promise<void>)[],
  stopStarted: () => Promise<void>,
): Promise<RunningLocalService> {
  for (const folder of ['dynamodb', 's3', 'models']) mkdirSync(join(config.dataDir, folder), { recursive: true });
  const servers = await Promise.allSettled([
    startEmbeddedDynamo({ path: join(config.dataDir, 'dynamodb') }),
    startS3Server({ directory: join(config.dataDir, 's3'), port: config.s3Port, buckets: [config.bucketName], log }),
  ]);
  for (const server of servers) if (server.status === 'fulfilled') started.push(() => server.value.stop());
  const [dynamo, s3] = servers.map((server) => {
    if (server.status === 'rejected') throw server.reason;
    return server.value;
  }) as [RunningDynamoServer, RunningS3Server];
  const dynamoClient = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: config.region,
    credentials: LOCAL_CREDENTIALS,
  });
  await ensureTable(dynamoClient, config.tableName);
  const model = localModel(config);

  const storage = { dynamodb: dynamo.endpoint, s3: s3.endpoint };
  const stopping = new AbortController();
  const arns = localStateMachineArns(config.region);
  const stepFunctions = new LocalStepFunctions(loadLocalStateMachines(REPO_ROOT, config.region), {
    services: {
      resolveLambda: (name) => {
        if (!PIPELINE_FUNCTION_NAMES.has(name))
          return Promise.reject(new Error(`No local Lambda function named ${name}`));
        return loadLambdaHandler(name);
      },
      worker: {
        repoRoot: REPO_ROOT,
        bundle: bundleLocalWorkers(REPO_ROOT),
        baseEnvironment: workerBaseEnvironment(config, storage, model, process.env),
        taskDefinitionEnvironment: LOCAL_TASK_DEFINITION_ENVIRONMENT,
        slots: new WorkerSlots(config.maxWorkerProcesses),
      },
    },
    log,
    // As the cloud's EventBridge rule: an execution that ended badly releases the lock it may still hold. Not while
    // stopping: the next start recovers those locks with the restart message.
    onExecutionClosed: (execution) =>
      stopping.signal.aborted ? Promise.resolve() : forwardStatusChange(execution, config.region, log, stopping.signal),
  });
  started.push(async () => {
    stopping.abort();
    await stepFunctions.stopAll();
  });
  const sfn = await startSfnEndpoint(stepFunctions);
  started.push(() => sfn.stop());
  Object.assign(process.env, handlerEnvironment(config, { ...storage, sfn: sfn.endpoint }, model, arns, process.env));
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;

  const recovered = await releaseInterruptedLocks(config, log);
  const server = await listen(
    createLocalApiServer(Number(process.env.MAX_UPLOAD_BYTES), config.maxRequestsPerUser, config.authMode, log),
    config,
  );
  started.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return {
    url: `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`,
    s3Endpoint: s3.endpoint,
    model,
    recovered,
    stop: stopStarted,
  };
}

/**
 * The encoder configured, or the default encoder converted from nsfwjs's weights and written under DATA_DIR (once; a
 * later start finds the same bytes there), loaded by the workers through MODEL_URI + MODEL_SHA256 as in production.
 * SIMILARITY_THRESHOLD, when set, replaces the encoder's calibrated threshold for datasets indexed from now on.
 */
function localModel(config: LocalConfig): LocalModel {
  const cacheDir = join(config.dataDir, 'models', 'cache');
  const threshold =
    config.similarityThreshold === undefined ? {} : { similarity_threshold: config.similarityThreshold };
  if (config.model)
    return { ...config.model, cacheDir, embeddingConfig: { ...config.model.embeddingConfig, ...threshold } };
  const written = ensureModelFile(join(config.dataDir, 'models', DEFAULT_MODEL_FILE), buildDefaultEncoder());
  if (written.sha256 !== LOCAL_EMBEDDING_CONFIG.model_sha256)
    throw new Error(
      `The default encoder converted from nsfwjs has sha256 ${written.sha256}, LOCAL_EMBEDDING_CONFIG pins ${LOCAL_EMBEDDING_CONFIG.model_sha256}: another nsfwjs version?`,
    );
  return {
    uri: `file://${written.path}`,
    sha256: written.sha256,
    cacheDir,
    embeddingConfig: { ...LOCAL_EMBEDDING_CONFIG, ...threshold },
  };
}

function listen(server: Server, config: LocalConfig): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve(server));
  });
}

/** Clients are created here, once the environment points the SDK at the embedded servers. */
async function releaseInterruptedLocks(config: LocalConfig, log: (message: string) => void): Promise<number> {
  const report = await recoverInterruptedOperations({
    client: createDocumentClient(),
    tableName: config.tableName,
    storage: { s3: createS3Client(), bucket: config.bucketName },
    // No EventBridge on one machine: an operation ended by the restart is logged like any other (docs/API.md "Events").
    events: operationEventSink(undefined, new Logger({ serviceName: 'local-runtime' })),
    now: new Date(),
  });
  for (const { dataset_id, operation_id } of report.recovered)
    log(`recovered dataset ${dataset_id}: operation ${operation_id} was interrupted by the restart`);
  for (const { dataset_id, error } of report.errors) log(`could not recover dataset ${dataset_id}: ${error}`);
  return report.recovered.length;
}
