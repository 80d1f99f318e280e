import { fileTypeFromBuffer } from 'file-type';
import { extensionOf, type MediaType, mediaTypeOfName } from './supported-media';

/** Bytes `sniffMedia` needs: file-type reads at most this many from the start of a file. */
export const SNIFF_BYTES = 4100;

export type SniffResult =
  | { readonly ok: true; readonly type: MediaType; readonly ext: string; readonly mime: string }
  | { readonly ok: false; readonly reason: string };

interface ContentKind {
  readonly type: MediaType;
  readonly ext: string;
  readonly mime: string;
}

/** file-type's detections we accept, mapped to our canonical extension (the one media objects are stored under). */
const ACCEPTED_CONTENT: Readonly<Record<string, ContentKind>> = {
  jpg: { type: 'image', ext: 'jpg', mime: 'image/jpeg' },
  png: { type: 'image', ext: 'png', mime: 'image/png' },
  apng: { type: 'image', ext: 'png', mime: 'image/png' },
  webp: { type: 'image', ext: 'webp', mime: 'image/webp' },
  bmp: { type: 'image', ext: 'bmp', mime: 'image/bmp' },
  tif: { type: 'image', ext: 'tif', mime: 'image/tiff' },
  gif: { type: 'image', ext: 'gif', mime: 'image/gif' },
  mp4: { type: 'video', ext: 'mp4', mime: 'video/mp4' },
  m4v: { type: 'video', ext: 'mp4', mime: 'video/mp4' },
  mov: { type: 'video', ext: 'mov', mime: 'video/quicktime' },
  avi: { type: 'video', ext: 'avi', mime: 'video/x-msvideo' },
  mkv: { type: 'video', ext: 'mkv', mime: 'video/x-matroska' },
  webm: { type: 'video', ext: 'webm', mime: 'video/webm' },
};

/**
 * Decides from a file's first bytes (at least `SNIFF_BYTES` of them when the file is that long) whether it is a supported
 * image or video. Rules, in order:
 * - a name with an extension we do not support is refused (a `.txt` is not media, whatever its bytes);
 * - an empty file is refused;
 * - the content must be a supported image or video; when the name says one supported type and the bytes another
 *   (PNG bytes named `.jpg`), the content wins: `ext`/`mime` describe the bytes, so the stored copy gets the right extension;
 * - a name without any extension is judged by its content alone.
 * Never throws: unreadable input is a refusal with a reason.
 */
export async function sniffMedia(bytes: Uint8Array, name: string): Promise<SniffResult> {
  const nameExt = extensionOf(name);
  if (nameExt !== '' && mediaTypeOfName(name) === undefined) {
    return { ok: false, reason: `unsupported file extension .${nameExt}` };
  }
  if (bytes.length === 0) return { ok: false, reason: 'empty file' };
  let detected: { ext: string; mime: string } | undefined;
  try {
    detected = await fileTypeFromBuffer(bytes.subarray(0, SNIFF_BYTES));
  } catch (error) {
    return { ok: false, reason: `unreadable content (${error instanceof Error ? error.message : String(error)})` };
  }
  if (detected === undefined) return { ok: false, reason: describeUndetected(bytes) };
  const accepted = ACCEPTED_CONTENT[detected.ext];
  if (accepted === undefined) {
    return { ok: false, reason: `content is ${detected.mime} (.${detected.ext}), not a supported image or video` };
  }
  return { ok: true, ...accepted };
}

const HTML_START = /^\s*<(!doctype\s+html|html|head|body|script|\?xml)/i;

/** file-type recognises binary formats only; text gets a reason a person understands ("an HTML page named .jpg"). */
function describeUndetected(bytes: Uint8Array): string {
  const sample = bytes.subarray(0, 512);
  if (!looksLikeText(sample)) return 'unrecognised content';
  const text = new TextDecoder('utf-8', { fatal: false }).decode(sample).replace(/^\uFEFF/, '');
  return HTML_START.test(text)
    ? 'content is HTML text, not an image or video'
    : 'content is text, not an image or video';
}

function looksLikeText(sample: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample.subarray(0, trimIncompleteUtf8(sample)));
  } catch {
    return false;
  }
  return sample.every((byte) => byte >= 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d || byte === 0x0c);
}

/** Length without a multi-byte character that the sample cut in half. */
function trimIncompleteUtf8(sample: Uint8Array): number {
  let end = sample.length;
  for (let back = 1; back <= 3 && end - back >= 0; back += 1) {
    const byte = sample[end - back]!;
    if ((byte & 0xc0) === 0x80) continue;
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    if (needed > back) end -= back;
    break;
  }
  return end;
}
