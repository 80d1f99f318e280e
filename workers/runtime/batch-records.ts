import { z } from 'zod';

/** Records the workers exchange through the bucket (docs/pipeline.md "Discover"). */

/** Lines per manifest part: parts are the unit the planner hands to embedding shards. */
export const MANIFEST_PART_MAX_LINES = 1000;
/** Skipped media listed by name in discovery.json (all of them are counted). */
export const MAX_REPORTED_SKIPPED = 1000;

const s3MediaLocationSchema = z.object({ bucket: z.string().min(1), key: z.string().min(1) }).strict();
const localMediaLocationSchema = z.object({ path: z.string().min(1) }).strict();

/** One line of `manifest/part-NNNNN.jsonl`: one media to embed. */
export const manifestLineSchema = z
  .object({
    media_id: z.string().regex(/^[0-9a-f]{24}$/),
    type: z.enum(['image', 'video']),
    source_uri: z.string().min(1),
    location: z.union([s3MediaLocationSchema, localMediaLocationSchema]),
    bytes: z.number().int().nonnegative(),
    mime: z.string().min(1),
  })
  .strict();

export type ManifestLine = z.infer<typeof manifestLineSchema>;
export type MediaLocation = ManifestLine['location'];

export function parseManifestLine(text: string): ManifestLine {
  return manifestLineSchema.parse(JSON.parse(text));
}

export interface SkippedMedia {
  readonly name: string;
  readonly reason: string;
}

/** `discovery.json`: what the planner sizes compute from. */
export interface DiscoverySummary {
  readonly n_images: number;
  readonly n_videos: number;
  readonly n_objects: 0;
  readonly n_parts: number;
  readonly n_skipped: number;
  readonly skipped: SkippedMedia[];
  readonly total_bytes: number;
}
