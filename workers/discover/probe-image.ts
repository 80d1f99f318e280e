import sharp from 'sharp';

/**
 * Decodes an image at a tiny size (JPEG shrink-on-load keeps this cheap) and fails on a truncated file: a reason to skip
 * it, or undefined when it decodes. Only run on complete files; animated images are checked on their first frame.
 */
export async function probeImage(input: Buffer | string): Promise<string | undefined> {
  try {
    await sharp(input, { failOn: 'truncated', sequentialRead: true })
      .resize(16, 16, { fit: 'inside' })
      .raw()
      .toBuffer();
    return undefined;
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim().slice(0, 200);
    return `image cannot be decoded (${message})`;
  }
}
