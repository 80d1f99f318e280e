import { ownerUsage } from '../datasets/owner-usage';
import type { OperationRefusal } from './operation-result';
import type { ReadContext } from './read-context';

/**
 * The per-user quotas (MAX_DATASETS_PER_USER, MAX_ACTIVE_OPERATIONS_PER_USER), checked before anything is staged or
 * locked: a new dataset counts against its creator, an operation against the owner of the dataset it runs on.
 */
export async function quotaRefusal(
  context: ReadContext,
  owner: string,
  wants: { readonly dataset: boolean; readonly operation: boolean },
): Promise<OperationRefusal | undefined> {
  const { maxDatasetsPerUser, maxActiveOperationsPerUser } = context.config;
  const usage = await ownerUsage(context.dynamo, context.config.tableName, owner);
  if (wants.dataset && usage.datasets >= maxDatasetsPerUser)
    return { reason: 'quota_exceeded', quota: 'datasets', limit: maxDatasetsPerUser };
  if (wants.operation && usage.activeOperations >= maxActiveOperationsPerUser)
    return { reason: 'quota_exceeded', quota: 'active_operations', limit: maxActiveOperationsPerUser };
  return undefined;
}
