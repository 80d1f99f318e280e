import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CountedBatch,
  INLINE_MAP_MAX_CONCURRENCY,
  type PlannerDeployment,
  planCompute,
  splitParts,
} from '../../core/pipeline/planner';

const deployment: PlannerDeployment = {
  defaultUseSpot: true,
  maxShards: 500,
  maxConcurrency: 50,
  gpuSpotCapacityProvider: 'gpu-spot',
  gpuOnDemandCapacityProvider: 'gpu-on-demand',
  gpuTaskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/gpu:3',
  cpuTaskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/cpu:7',
  subnetIds: ['subnet-a', 'subnet-b'],
  securityGroupIds: ['sg-1'],
};

const MIB = 1024 * 1024;
const batch = (counts: Partial<CountedBatch>): CountedBatch => ({
  n_images: 0,
  n_videos: 0,
  n_objects: 0,
  n_parts: Math.ceil(((counts.n_images ?? 0) + (counts.n_videos ?? 0)) / 1000),
  total_bytes: ((counts.n_images ?? 0) + (counts.n_videos ?? 0)) * 2 * MIB,
  ...counts,
});

/** AWS Fargate task sizes: CPU units → allowed memory (MiB). */
const FARGATE: Record<number, number[]> = {
  256: [512, 1024, 2048],
  512: range(1024, 4096, 1024),
  1024: range(2048, 8192, 1024),
  2048: range(4096, 16384, 1024),
  4096: range(8192, 30720, 1024),
  8192: range(16384, 61440, 4096),
  16384: range(32768, 122880, 8192),
};
function range(from: number, to: number, step: number): number[] {
  return Array.from({ length: (to - from) / step + 1 }, (_, i) => from + i * step);
}
const isValidFargateSize = (cpu: string, memory: string) => FARGATE[Number(cpu)]?.includes(Number(memory)) ?? false;

describe('planCompute', () => {
  it('plans no shards for a batch with no manifest parts', () => {
    const plan = planCompute({ counted: batch({}), deployment });
    expect(plan.shards).toEqual([]);
    expect(plan).toMatchObject({ device: 'cpu', max_concurrency: 1, sizing: { image_equivalents: 0 } });
  });

  it('runs a single image as one Fargate shard', () => {
    const plan = planCompute({ counted: batch({ n_images: 1 }), deployment });
    expect(plan).toEqual({
      shards: [{ index: 0, part_start: 0, part_end: 1 }],
      max_concurrency: 1,
      device: 'cpu',
      cpu: '2048',
      memory_mib: '4096',
      use_spot: true,
      capacity: {
        primary: [{ CapacityProvider: 'FARGATE_SPOT', Weight: 1 }],
        fallback: [{ CapacityProvider: 'FARGATE', Weight: 1 }],
      },
      task_definition: deployment.cpuTaskDefinitionArn,
      network: {
        AwsvpcConfiguration: {
          Subnets: ['subnet-a', 'subnet-b'],
          SecurityGroups: ['sg-1'],
          AssignPublicIp: 'DISABLED',
        },
      },
      sizing: { n_images: 1, n_videos: 0, n_objects: 0, image_equivalents: 1, heavy: false },
    });
  });

  it('spreads 10M images over 200 GPU shards of 50 parts each', () => {
    const plan = planCompute({ counted: batch({ n_images: 10_000_000 }), deployment });
    expect(plan.device).toBe('gpu');
    expect(plan.task_definition).toBe(deployment.gpuTaskDefinitionArn);
    expect(plan.shards).toHaveLength(200);
    expect(plan.shards.every((shard) => shard.part_end - shard.part_start === 50)).toBe(true);
    expect(plan.shards.at(-1)).toEqual({ index: 199, part_start: 9950, part_end: 10_000 });
    // The deployment allows 50, the inline Map runs 40 at once: the plan says what will run.
    expect(plan.max_concurrency).toBe(INLINE_MAP_MAX_CONCURRENCY);
    expect(plan.capacity.primary).toEqual([{ CapacityProvider: 'gpu-spot', Weight: 1 }]);
    expect(plan.capacity.fallback).toEqual([{ CapacityProvider: 'gpu-on-demand', Weight: 1 }]);
  });

  it('caps the shard count at maxShards and still covers every part', () => {
    const plan = planCompute({
      counted: batch({ n_images: 10_000_000 }),
      deployment: { ...deployment, maxShards: 64 },
    });
    expect(plan.shards).toHaveLength(64);
    expect(plan.shards[0].part_start).toBe(0);
    expect(plan.shards.at(-1)?.part_end).toBe(10_000);
    expect(new Set(plan.shards.map((s) => s.part_end - s.part_start))).toEqual(new Set([156, 157]));
  });

  it('sizes for an override larger than the real count but shards only the real parts', () => {
    const plan = planCompute({
      counted: batch({ n_images: 10 }),
      overrides: { batch_n_images: 1_000_000 },
      deployment,
    });
    expect(plan).toMatchObject({
      device: 'gpu',
      shards: [{ index: 0, part_start: 0, part_end: 1 }],
      max_concurrency: 1,
    });
    expect(plan.sizing.image_equivalents).toBe(1_000_000);
  });

  it('sizes for an override smaller than the real count: one CPU task over all real parts', () => {
    const plan = planCompute({
      counted: batch({ n_images: 1_000_000 }),
      overrides: { batch_n_images: 50 },
      deployment,
    });
    expect(plan).toMatchObject({ device: 'cpu', shards: [{ index: 0, part_start: 0, part_end: 1000 }] });
  });

  it('keeps at least one shard when overrides say zero but parts exist', () => {
    const plan = planCompute({
      counted: batch({ n_images: 3000 }),
      overrides: { batch_n_images: 0, batch_n_videos: 0, batch_n_objects: 0 },
      deployment,
    });
    expect(plan).toMatchObject({ device: 'cpu', shards: [{ index: 0, part_start: 0, part_end: 3 }] });
  });

  it('ignores null overrides', () => {
    const plan = planCompute({
      counted: batch({ n_images: 120_000 }),
      overrides: { batch_n_images: null, batch_n_videos: null },
      deployment,
    });
    expect(plan.shards).toHaveLength(3);
  });

  it.each([
    [9, 'cpu', '4096', '8192'],
    [10, 'gpu', '8192', '28672'],
    [5000, 'gpu', '8192', '28672'],
  ])('weighs videos as 20 images: %i videos only → %s, %s CPU units, %s MiB', (n_videos, device, cpu, memory) => {
    const plan = planCompute({ counted: batch({ n_videos }), deployment });
    expect(plan).toMatchObject({
      device,
      cpu,
      memory_mib: memory,
      sizing: { image_equivalents: n_videos * 20, heavy: true },
    });
  });

  it('counts objects as images', () => {
    expect(planCompute({ counted: batch({ n_images: 150, n_objects: 49 }), deployment }).device).toBe('cpu');
    expect(planCompute({ counted: batch({ n_images: 150, n_objects: 50 }), deployment }).device).toBe('gpu');
  });

  it('gives large media the bigger task size', () => {
    const plan = planCompute({ counted: batch({ n_images: 5000, total_bytes: 5000 * 40 * MIB }), deployment });
    expect(plan).toMatchObject({ device: 'gpu', cpu: '8192', memory_mib: '28672', sizing: { heavy: true } });
  });

  it.each<[boolean | null | undefined, boolean, 'gpu' | 'cpu', string, string]>([
    [true, false, 'gpu', 'gpu-spot', 'gpu-on-demand'],
    [false, true, 'gpu', 'gpu-on-demand', 'gpu-on-demand'],
    [null, true, 'gpu', 'gpu-spot', 'gpu-on-demand'],
    [null, false, 'gpu', 'gpu-on-demand', 'gpu-on-demand'],
    [undefined, true, 'gpu', 'gpu-spot', 'gpu-on-demand'],
    [true, false, 'cpu', 'FARGATE_SPOT', 'FARGATE'],
    [false, true, 'cpu', 'FARGATE', 'FARGATE'],
    [null, true, 'cpu', 'FARGATE_SPOT', 'FARGATE'],
    [null, false, 'cpu', 'FARGATE', 'FARGATE'],
  ])(
    'use_spot=%s with default %s on %s → primary %s, fallback %s',
    (useSpot, defaultUseSpot, device, primary, fallback) => {
      const counted = batch({ n_images: device === 'gpu' ? 5000 : 5 });
      const plan = planCompute({ counted, useSpot, deployment: { ...deployment, defaultUseSpot } });
      expect(plan.device).toBe(device);
      expect(plan.use_spot).toBe(useSpot ?? defaultUseSpot);
      expect(plan.capacity).toEqual({
        primary: [{ CapacityProvider: primary, Weight: 1 }],
        fallback: [{ CapacityProvider: fallback, Weight: 1 }],
      });
    },
  );

  it('rejects negative or fractional counts and non-positive limits with every problem named', () => {
    expect(() =>
      planCompute({
        counted: batch({ n_images: -1 }),
        overrides: { batch_n_videos: 1.5 },
        deployment: { ...deployment, maxShards: 0 },
      }),
    ).toThrow(
      /n_images must be a non-negative integer, got -1; .*batch_n_videos .* got 1.5; maxShards must be a positive integer, got 0/,
    );
  });

  it('always produces covering, non-empty, bounded shards and valid Fargate sizes', () => {
    fc.assert(
      fc.property(
        fc.record({
          n_images: fc.nat(20_000_000),
          n_videos: fc.nat(1_000_000),
          n_objects: fc.nat(1_000_000),
          n_parts: fc.nat(30_000),
          total_bytes: fc.nat(Number.MAX_SAFE_INTEGER),
        }),
        fc.record({ batch_n_images: fc.option(fc.nat(20_000_000)), batch_n_videos: fc.option(fc.nat(10_000)) }),
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: 1, max: 500 }),
        (counted, overrides, maxShards, maxConcurrency) => {
          const plan = planCompute({ counted, overrides, deployment: { ...deployment, maxShards, maxConcurrency } });
          expect(plan.shards.length).toBeLessThanOrEqual(maxShards);
          expect(plan.shards.length === 0).toBe(counted.n_parts === 0);
          let next = 0;
          for (const [index, shard] of plan.shards.entries()) {
            expect(shard).toEqual({ index, part_start: next, part_end: expect.any(Number) });
            expect(shard.part_end).toBeGreaterThan(shard.part_start);
            next = shard.part_end;
          }
          if (plan.shards.length) expect(next).toBe(counted.n_parts);
          expect(plan.max_concurrency).toBeGreaterThanOrEqual(1);
          expect(plan.max_concurrency).toBeLessThanOrEqual(Math.min(maxConcurrency, Math.max(1, plan.shards.length)));
          expect(plan.device).toBe(plan.sizing.image_equivalents < 200 ? 'cpu' : 'gpu');
          if (plan.device === 'cpu') expect(isValidFargateSize(plan.cpu, plan.memory_mib)).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('splitParts', () => {
  it('gives the first shards the smaller share when parts do not divide evenly', () => {
    expect(splitParts(7, 3)).toEqual([
      { index: 0, part_start: 0, part_end: 2 },
      { index: 1, part_start: 2, part_end: 4 },
      { index: 2, part_start: 4, part_end: 7 },
    ]);
  });
});
