import { describe, expect, it } from 'vitest';
import { MAX_SHARDS_LIMIT } from '../../lib/config';
import { loadAsl, runAsl } from '../support/asl-runner';
import {
  ADD_MEDIA_ASL,
  addMediaInput,
  DEPLOYMENT,
  fakePipeline,
  imageBatch,
  REINDEX_ASL,
  reindexInput,
  SUBSTITUTIONS,
} from './fake-pipeline';
import { historyEventCount } from './history-events';

/** Step Functions fails an execution whose history reaches this many events. */
const HISTORY_LIMIT = 25_000;
const definition = loadAsl(ADD_MEDIA_ASL, SUBSTITUTIONS);

/** Events of one add-media execution over `nImages` images; `interrupted`: every shard's spot task is interrupted once. */
async function addMediaEvents(
  nImages: number,
  options: { autoReindex: boolean; interrupted: boolean; maxShards?: number },
) {
  const fake = fakePipeline({
    discovery: imageBatch(nImages),
    deployment: { maxShards: options.maxShards ?? DEPLOYMENT.maxShards, maxConcurrency: 1000 },
    ecs: (_env, request) =>
      options.interrupted &&
      request.CapacityProviderStrategy[0]!.CapacityProvider === DEPLOYMENT.gpuSpotCapacityProvider
        ? { stopCode: 'SpotInterruption', stoppedReason: 'Your Spot Task was interrupted.' }
        : 'ok',
  });
  const run = await runAsl({
    definition,
    input: addMediaInput({ auto_reindex: options.autoReindex, use_spot: true }),
    resources: fake.resources,
  });
  expect(run.status).toBe('SUCCEEDED');
  const shards = run.calls.filter((call) => call.state === 'EmbedShard').length;
  return { shards, events: historyEventCount(definition, run) };
}

describe('add-media execution history', () => {
  // The figures in docs/pipeline.md ("History events per execution") come from these formulas.
  it.each([1, 4])('grows by 8 events per shard, 20 when the shard is rerun on on-demand (%i shards)', async (parts) => {
    const nImages = parts * 50_000;
    expect(await addMediaEvents(nImages, { autoReindex: false, interrupted: false })).toEqual({
      shards: parts,
      events: 36 + 8 * parts,
    });
    expect(await addMediaEvents(nImages, { autoReindex: true, interrupted: false })).toEqual({
      shards: parts,
      events: 47 + 8 * parts,
    });
    expect(await addMediaEvents(nImages, { autoReindex: true, interrupted: true })).toEqual({
      shards: parts,
      events: 47 + 20 * parts,
    });
  });

  it.each([
    { nImages: 1_000, shards: 1, events: 55, worst: 67 },
    { nImages: 1_000_000, shards: 20, events: 207, worst: 447 },
    { nImages: 10_000_000, shards: 200, events: 1_647, worst: 4_047 },
  ])(
    'stays far below the limit for $nImages images ($shards shards, maxShards 200)',
    async ({ nImages, shards, events, worst }) => {
      expect(await addMediaEvents(nImages, { autoReindex: true, interrupted: false })).toEqual({ shards, events });
      expect(await addMediaEvents(nImages, { autoReindex: true, interrupted: true })).toEqual({
        shards,
        events: worst,
      });
      expect(worst).toBeLessThan(HISTORY_LIMIT / 5);
    },
  );

  it('stays below the limit at the largest maxShards a deployment may set, every shard rerun', async () => {
    const { shards, events } = await addMediaEvents(MAX_SHARDS_LIMIT * 50_000, {
      autoReindex: true,
      interrupted: true,
      maxShards: MAX_SHARDS_LIMIT,
    });
    expect(shards).toBe(MAX_SHARDS_LIMIT);
    expect(events).toBe(47 + 20 * MAX_SHARDS_LIMIT);
    expect(events).toBeLessThan(HISTORY_LIMIT);
  });
});

describe('reindex execution history', () => {
  it('is a fixed 15 events on success', async () => {
    const reindex = loadAsl(REINDEX_ASL, SUBSTITUTIONS);
    const fake = fakePipeline({ discovery: imageBatch(0) });
    const run = await runAsl({ definition: reindex, input: reindexInput(), resources: fake.resources });
    expect(run.status).toBe('SUCCEEDED');
    expect(historyEventCount(reindex, run)).toBe(15);
  });
});
