// zod/mini: the classic build would add ~440 KB to every pipeline Lambda bundle.
import * as z from 'zod/mini';
import { TASK_TYPES } from '../datasets/dataset-status';

/**
 * What the pipeline Lambdas receive from the state machines (docs/pipeline.md). Only the fields they read are checked;
 * other keys (results of earlier states) are allowed and dropped.
 */
const sizeOverride = z.nullish(z.int().check(z.nonnegative()));
const id = () => z.string().check(z.minLength(1));

export const executionInputSchema = z.object({
  dataset_id: id(),
  operation_id: id(),
  operation: z.enum(['add_media', 'reindex', 'initial_index']),
  task_type: z.enum(TASK_TYPES),
  auto_reindex: z.nullish(z.boolean()),
  use_spot: z.nullish(z.boolean()),
  overrides: z.nullish(
    z.object({ batch_n_images: sizeOverride, batch_n_videos: sizeOverride, batch_n_objects: sizeOverride }),
  ),
  embedding_config: z.nullish(z.looseObject({ model_id: id(), dimension: z.int().check(z.positive()) })),
});

/** finalize and finish-reindex: `{"input": <execution input>}`. */
export const stepEventSchema = z.object({ input: executionInputSchema });

/** mark-failed: the execution input plus what the Catch put in its ResultPath. */
export const failureEventSchema = z.object({
  input: executionInputSchema,
  error: z.nullish(z.object({ Error: z.nullish(z.string()), Cause: z.nullish(z.string()) })),
});

/** EventBridge "Step Functions Execution Status Change"; `input` is the execution input as a JSON string. */
export const executionStatusEventSchema = z.object({
  'detail-type': z.literal('Step Functions Execution Status Change'),
  detail: z.object({
    executionArn: z.string(),
    stateMachineArn: z.string(),
    name: id(),
    status: z.string(),
    input: z.nullish(z.string()),
    error: z.nullish(z.string()),
    cause: z.nullish(z.string()),
  }),
});

export type ExecutionStatusEvent = z.infer<typeof executionStatusEventSchema>;

class InvalidPipelineEventError extends Error {
  override readonly name = 'InvalidPipelineEvent';
}

/** Parses `event` with `schema`, or throws one error that names every bad field. */
export function parsePipelineEvent<T>(schema: z.ZodMiniType<T>, event: unknown, what: string): T {
  const result = schema.safeParse(event);
  if (!result.success) throw new InvalidPipelineEventError(`Invalid ${what}: ${z.prettifyError(result.error)}`);
  return result.data;
}
