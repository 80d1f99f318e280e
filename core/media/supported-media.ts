/** Media the API accepts (API.md "Supported media"). Extensions are compared lower-case, without the dot. */
const SUPPORTED_IMAGE_EXTENSIONS = ['jpg', 'jpeg', 'png', 'webp', 'bmp', 'tif', 'tiff', 'gif'] as const;
const SUPPORTED_VIDEO_EXTENSIONS = ['mp4', 'mov', 'avi', 'mkv', 'webm'] as const;

export type MediaType = 'image' | 'video';

const TYPE_BY_EXTENSION: ReadonlyMap<string, MediaType> = new Map<string, MediaType>([
  ...SUPPORTED_IMAGE_EXTENSIONS.map((ext) => [ext, 'image'] as const),
  ...SUPPORTED_VIDEO_EXTENSIONS.map((ext) => [ext, 'video'] as const),
]);

/** The extension of the last path segment (`/` or `\` separated), lower-case without the dot; '' when there is none. */
export function extensionOf(name: string): string {
  const base = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot + 1).toLowerCase();
}

/** 'image' or 'video' when the name carries a supported extension, else undefined. */
export function mediaTypeOfName(name: string): MediaType | undefined {
  return TYPE_BY_EXTENSION.get(extensionOf(name));
}

export function isSupportedMediaName(name: string): boolean {
  return mediaTypeOfName(name) !== undefined;
}
