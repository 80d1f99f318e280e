import type { MediaType } from '../media/supported-media';

/** A direct upload whose bytes were checked to be supported media (`ext`/`mime` describe the bytes, not the name). */
export interface UploadedMedia {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly type: MediaType;
  readonly ext: string;
  readonly mime: string;
}

/** An uploaded archive that passed the safety inspection. */
export interface UploadedArchive {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** The one media source of an add-media or create request (API.md "Exactly one media source"). */
export type MediaSource =
  | { readonly kind: 's3_uri'; readonly uri: string }
  | { readonly kind: 'files'; readonly files: readonly UploadedMedia[] }
  | { readonly kind: 'archive'; readonly archive: UploadedArchive }
  /** On-prem only (GET /api/v1/process/add_media?path=): a folder, manifest or archive on this machine. */
  | { readonly kind: 'local_path'; readonly path: string };

export interface MediaCountOverrides {
  readonly batch_n_images: number | null;
  readonly batch_n_videos: number | null;
  readonly batch_n_objects: number | null;
}

export interface MediaOptions {
  readonly autoReindex: boolean;
  /** Role ARN to read the S3 source with, or null for the deployment's own role. */
  readonly assumeRole: string | null;
  /** null: the deployment's default. */
  readonly useSpot: boolean | null;
  readonly overrides: MediaCountOverrides;
}

export const DEFAULT_MEDIA_OPTIONS: MediaOptions = {
  autoReindex: false,
  assumeRole: null,
  useSpot: null,
  overrides: { batch_n_images: null, batch_n_videos: null, batch_n_objects: null },
};
