/** A media item as stored (docs/data-model.md "Media item"): written by the workers, read by the media page. */
export interface MediaRecord extends Record<string, unknown> {
  readonly pk: string;
  readonly sk: string;
  readonly dataset_id: string;
  readonly media_id: string;
  readonly type: 'image' | 'video';
  readonly source_uri: string;
  /** Where the bytes are: an object (ours for uploads and archives, else the source's) or an on-prem path. */
  readonly location?: { readonly bucket: string; readonly key: string } | { readonly path: string };
  readonly batch_id: string;
  readonly added_at: string;
  readonly frame_count?: number;
  readonly width?: number;
  readonly height?: number;
  /** Assignment under clustering `clustering_id`. */
  readonly cluster_id: string;
  readonly clustering_id: string;
  /** The assignment under the previous clustering, kept until the new one is committed. */
  readonly prev_cluster_id?: string;
  readonly prev_clustering_id?: string;
  readonly outlier_score?: number;
}
