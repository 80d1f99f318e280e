import { Logger } from '@aws-lambda-powertools/logger';
import type { WorkerEnv } from './env';

const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'] as const;
type Level = (typeof LEVELS)[number];

/**
 * A Powertools logger (JSON lines on stdout) for one task of one operation; an unknown LOG_LEVEL falls back to INFO.
 * Every line carries the dataset and operation, and the operation id as correlation id: the API's 202 answers it
 * (`X-Operation-Id`), the Step Functions execution is named by it, so one id finds a request's whole trail.
 */
export function createWorkerLogger(task: string, env: WorkerEnv): Logger {
  const requested = env.logLevel.toUpperCase();
  const logLevel: Level = (LEVELS as readonly string[]).includes(requested) ? (requested as Level) : 'INFO';
  const logger = new Logger({
    serviceName: `worker-${task}`,
    logLevel,
    persistentKeys: { dataset_id: env.datasetId, operation_id: env.operationId },
  });
  logger.setCorrelationId(env.operationId);
  return logger;
}
