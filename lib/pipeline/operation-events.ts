import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';

/** The bus operation-end events go to: the account's default one (docs/API.md "Events"). */
const OPERATION_EVENT_BUS = 'default';

/**
 * A function that ends operations (finalize, finish-reindex, mark-failed, stale-lock, sweeper) publishes each end on the
 * default bus (core/pipeline/operation-event-sinks.ts): PutEvents on that bus only.
 */
export function publishOperationEvents(fn: LambdaFunction): void {
  fn.addEnvironment('OPERATION_EVENT_BUS', OPERATION_EVENT_BUS);
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      sid: 'PublishOperationEvents',
      actions: ['events:PutEvents'],
      resources: [
        Stack.of(fn).formatArn({ service: 'events', resource: 'event-bus', resourceName: OPERATION_EVENT_BUS }),
      ],
    }),
  );
}
