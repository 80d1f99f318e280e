import { z } from 'zod';
import { TASK_TYPES } from './dataset-status';

/**
 * What the pipeline Lambdas receive from the state machines (docs/pipeline.md). Only the fields they read are checked;
 * other keys (results of earlier states) are allowed and dropped.
 */
const sizeOverride = z.number().int().nonnegative().nullish();

export const executionInputSchema = z.object({
  dataset_id: z.string().min(1),
  operation_id: z.string().min(1),
  operation: z.enum(['add_media', 'reindex', 'initial_index']),
  task_type: z.enum(TASK_TYPES),
  auto_reindex: z.boolean().nullish(),
  use_spot: z.boolean().nullish(),
  overrides: z
    .object({ batch_n_images: sizeOverride, batch_n_videos: sizeOverride, batch_n_objects: sizeOverride })
    .nullish(),
  embedding_config: z.looseObject({ model_id: z.string().min(1), dimension: z.number().int().positive() }).nullish(),
});

export type ExecutionInput = z.infer<typeof executionInputSchema>;

/** finalize and finish-reindex: `{"input": <execution input>}`. */
export const stepEventSchema = z.object({ input: executionInputSchema });

/** mark-failed: the execution input plus what the Catch put in its ResultPath. */
export const failureEventSchema = z.object({
  input: executionInputSchema,
  error: z.object({ Error: z.string().nullish(), Cause: z.string().nullish() }).nullish(),
});

/** EventBridge "Step Functions Execution Status Change"; `input` is the execution input as a JSON string. */
export const executionStatusEventSchema = z.object({
  'detail-type': z.literal('Step Functions Execution Status Change'),
  detail: z.object({
    executionArn: z.string(),
    stateMachineArn: z.string(),
    name: z.string().min(1),
    status: z.string(),
    input: z.string().nullish(),
    error: z.string().nullish(),
    cause: z.string().nullish(),
  }),
});

export type ExecutionStatusEvent = z.infer<typeof executionStatusEventSchema>;

export class InvalidPipelineEventError extends Error {
  override readonly name = 'InvalidPipelineEvent';
}

/** Parses `event` with `schema`, or throws one error that names every bad field. */
export function parsePipelineEvent<T>(schema: z.ZodType<T>, event: unknown, what: string): T {
  const result = schema.safeParse(event);
  if (!result.success) throw new InvalidPipelineEventError(`Invalid ${what}: ${z.prettifyError(result.error)}`);
  return result.data;
}
