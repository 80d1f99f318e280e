import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AppStack } from '../../lib/app-stack';
import { appStack } from './synth-app';

/** Asset hashes change with every edit of a handler; the template around them is what is reviewed here. */
function neutraliseAssetHashes(template: unknown): string {
  return JSON.stringify(template, null, 2).replace(/[0-9a-f]{64}/g, '<asset-hash>');
}

describe('AddMediaBackend stack', () => {
  let stack: AppStack;
  let template: Template;
  beforeAll(() => {
    stack = appStack();
    template = Template.fromStack(stack);
  });

  it('matches the reviewed template (update with `npx vitest run test/synth/snapshot.test.ts -u` and review the diff)', async () => {
    await expect(neutraliseAssetHashes(template.toJSON())).toMatchFileSnapshot(
      '__snapshots__/AddMediaBackend.template.json',
    );
  });

  it('wires the pipeline state machines into the API functions that start them', () => {
    const resolve = (value: string) => stack.resolve(value);
    const env = (routeId: string) =>
      template.toJSON().Resources[stack.getLogicalId(stack.api.functions[routeId]!.node.defaultChild as never)]
        .Properties.Environment.Variables;
    const addMedia = resolve(stack.pipeline.addMediaStateMachine.stateMachineArn);
    const reindex = resolve(stack.pipeline.reindexStateMachine.stateMachineArn);
    expect(env('AddMedia').ADD_MEDIA_STATE_MACHINE_ARN).toEqual(addMedia);
    expect(env('CreateDataset').ADD_MEDIA_STATE_MACHINE_ARN).toEqual(addMedia);
    expect(env('Reindex').REINDEX_STATE_MACHINE_ARN).toEqual(reindex);
  });

  it('outputs the API URL, table, bucket and the generated JWT secret', () => {
    for (const output of ['ApiUrl', 'TableName', 'BucketName', 'JwtSecretArn']) template.hasOutput(output, {});
  });
});
