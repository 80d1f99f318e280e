/**
 * Prints the planner's decisions for a few request shapes as a Markdown table (docs/planner.md).
 * Run: npx tsx bench/planner-table.ts [maxShards] [maxConcurrency]
 */
import { type CountedBatch, type PlanRequest, planCompute, type SizingOverrides } from '../core/pipeline/planner';

const MIB = 1024 * 1024;
const PARTS_OF = 1000; // manifest lines per part (docs/pipeline.md, discover)

const maxShards = Number(process.argv[2] ?? 500);
const maxConcurrency = Number(process.argv[3] ?? 50);
const deployment: PlanRequest['deployment'] = {
  defaultUseSpot: true,
  maxShards,
  maxConcurrency,
  gpuSpotCapacityProvider: 'GpuSpot',
  gpuOnDemandCapacityProvider: 'GpuOnDemand',
  gpuTaskDefinitionArn: 'gpu-task',
  cpuTaskDefinitionArn: 'cpu-task',
  subnetIds: ['subnet-1'],
  securityGroupIds: ['sg-1'],
};

interface Shape {
  readonly name: string;
  readonly images?: number;
  readonly videos?: number;
  readonly imageBytes?: number;
  readonly overrides?: SizingOverrides;
  readonly useSpot?: boolean | null;
}

const shapes: Shape[] = [
  { name: 'nothing found', images: 0 },
  { name: '1 image', images: 1 },
  { name: '150 images', images: 150 },
  { name: '200 images', images: 200 },
  { name: '9 videos', videos: 9 },
  { name: '2,000 images, use_spot=false', images: 2000, useSpot: false },
  { name: '50 videos', videos: 50 },
  { name: '120,000 images + 500 videos', images: 120_000, videos: 500 },
  { name: '2,000 TIFFs of 40 MiB', images: 2000, imageBytes: 40 * MIB },
  { name: '1M images', images: 1_000_000 },
  { name: '10M images', images: 10_000_000 },
  { name: '10 images, batch_n_images=1M', images: 10, overrides: { batch_n_images: 1_000_000 } },
  { name: '1M images, batch_n_images=50', images: 1_000_000, overrides: { batch_n_images: 50 } },
  { name: '300k images, batch_n_videos=10k', images: 300_000, overrides: { batch_n_videos: 10_000 } },
];

const rows = shapes.map((shape) => {
  const n_images = shape.images ?? 0;
  const n_videos = shape.videos ?? 0;
  const counted: CountedBatch = {
    n_images,
    n_videos,
    n_objects: 0,
    n_parts: Math.ceil((n_images + n_videos) / PARTS_OF),
    total_bytes: n_images * (shape.imageBytes ?? 2 * MIB) + n_videos * 60 * MIB,
  };
  const plan = planCompute({ counted, overrides: shape.overrides, useSpot: shape.useSpot, deployment });
  const sizes = plan.shards.map((shard) => shard.part_end - shard.part_start);
  const perShard = sizes.length
    ? Math.min(...sizes) === Math.max(...sizes)
      ? `${sizes[0]}`
      : `${Math.min(...sizes)}–${Math.max(...sizes)}`
    : '–';
  return [
    shape.name,
    counted.n_parts.toLocaleString('en-US'),
    plan.sizing.image_equivalents.toLocaleString('en-US'),
    plan.device,
    String(plan.shards.length),
    perShard,
    String(plan.max_concurrency),
    `${plan.cpu} / ${plan.memory_mib}`,
    `${plan.capacity.primary[0].CapacityProvider} → ${plan.capacity.fallback[0].CapacityProvider}`,
  ];
});

const header = [
  'request',
  'parts',
  'image-eq.',
  'device',
  'shards',
  'parts/shard',
  'concurrency',
  'cpu / MiB',
  'capacity (primary → fallback)',
];
console.log(
  `MAX_SHARDS=${maxShards}, MAX_CONCURRENCY=${maxConcurrency}, DEFAULT_USE_SPOT=true; videos ~60 MiB, images ~2 MiB unless said\n`,
);
console.log(`| ${header.join(' | ')} |`);
console.log(`| ${header.map(() => '---').join(' | ')} |`);
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
