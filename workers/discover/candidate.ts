import type { S3Location } from '../../core/media/s3-uri';

/**
 * Something a source offers as media, before its bytes are checked. `name` is the sanitized name reports show (and whose
 * extension the check reads); `sourceUri` is where the media came from, as the media listing will show it.
 */
export type Candidate =
  /** An object in the customer's S3 source: checked and embedded where it is, read with the source's credentials. */
  | {
      readonly kind: 's3';
      readonly name: string;
      readonly sourceUri: string;
      readonly location: S3Location;
      readonly size?: number;
    }
  /** A local file (on-premises): checked and embedded where it is. */
  | { readonly kind: 'local'; readonly name: string; readonly sourceUri: string; readonly path: string }
  /** A direct upload staged in our bucket: copied under a generated name. */
  | { readonly kind: 'staged'; readonly name: string; readonly sourceUri: string; readonly location: S3Location }
  /** A temporary file we own (an archive entry): copied under a generated name, then deleted. */
  | { readonly kind: 'file'; readonly name: string; readonly sourceUri: string; readonly file: string }
  /** Known unusable before any bytes are read. */
  | { readonly kind: 'skip'; readonly name: string; readonly reason: string };
