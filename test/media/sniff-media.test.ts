import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SNIFF_BYTES, sniffMedia } from '../../core/media/sniff-media';
import { extensionOf, mediaTypeOfName } from '../../core/media/supported-media';
import { type ImageFormat, makeImage, makeVideo } from '../support/media-fixtures';

describe('mediaTypeOfName', () => {
  it.each([
    ['a.jpg', 'image'],
    ['a.JPEG', 'image'],
    ['dir/b.png', 'image'],
    ['c.webp', 'image'],
    ['d.bmp', 'image'],
    ['e.tif', 'image'],
    ['f.TIFF', 'image'],
    ['g.gif', 'image'],
    ['h.mp4', 'video'],
    ['i.MOV', 'video'],
    ['j.avi', 'video'],
    ['k.mkv', 'video'],
    ['l.webm', 'video'],
  ])('%s is a supported %s', (name, type) => {
    expect(mediaTypeOfName(name)).toBe(type);
  });

  it.each(['notes.txt', 'archive.zip', 'README', '.jpg', 'photo.jpg.exe', 'dir.jpg/file'])(
    '%s is not supported media',
    (name) => {
      expect(mediaTypeOfName(name)).toBeUndefined();
    },
  );

  it('takes the extension of the last path segment only', () => {
    expect(extensionOf('a.b/c')).toBe('');
    expect(extensionOf('a\\b.PNG')).toBe('png');
  });
});

describe('sniffMedia', () => {
  let videoDir: string;
  beforeAll(async () => {
    videoDir = await mkdtemp(join(tmpdir(), 'sniff-'));
  });
  afterAll(async () => {
    await rm(videoDir, { recursive: true, force: true });
  });

  it.each<[ImageFormat, string, string]>([
    ['jpeg', 'jpg', 'image/jpeg'],
    ['png', 'png', 'image/png'],
    ['webp', 'webp', 'image/webp'],
    ['gif', 'gif', 'image/gif'],
    ['tiff', 'tif', 'image/tiff'],
    ['bmp', 'bmp', 'image/bmp'],
  ])('accepts a %s image by its bytes', async (format, ext, mime) => {
    const bytes = await makeImage({ seed: 1, format });
    expect(await sniffMedia(bytes, `photo.${ext}`)).toEqual({ ok: true, type: 'image', ext, mime });
  });

  it.each([
    ['mp4', 'video/mp4'],
    ['mov', 'video/quicktime'],
    ['mkv', 'video/x-matroska'],
    ['webm', 'video/webm'],
    ['avi', 'video/x-msvideo'],
  ])('accepts a %s video by its first %s bytes', async (ext, mime) => {
    const bytes = await readFile(await makeVideo(join(videoDir, `clip.${ext}`)));
    expect(await sniffMedia(bytes.subarray(0, SNIFF_BYTES), `clip.${ext}`)).toEqual({
      ok: true,
      type: 'video',
      ext,
      mime,
    });
  });

  it('lets the content win when the name says another supported type (PNG bytes named .jpg are stored as .png)', async () => {
    const png = await makeImage({ seed: 2, format: 'png' });
    expect(await sniffMedia(png, 'holiday.jpg')).toEqual({ ok: true, type: 'image', ext: 'png', mime: 'image/png' });
  });

  it('judges a name without an extension by its content alone', async () => {
    const jpeg = await makeImage({ seed: 3 });
    expect(await sniffMedia(jpeg, 'objects/4f2a9c')).toMatchObject({ ok: true, ext: 'jpg' });
  });

  it('refuses an HTML page named .jpg and says it is HTML', async () => {
    const result = await sniffMedia(Buffer.from('<!DOCTYPE html><html><body>404</body></html>'), 'cat.jpg');
    expect(result).toEqual({ ok: false, reason: 'content is HTML text, not an image or video' });
  });

  it('refuses plain text named .png', async () => {
    expect(await sniffMedia(Buffer.from('just some words\n'), 'x.png')).toEqual({
      ok: false,
      reason: 'content is text, not an image or video',
    });
  });

  it('refuses a zero-byte file as empty', async () => {
    expect(await sniffMedia(new Uint8Array(0), 'a.jpg')).toEqual({ ok: false, reason: 'empty file' });
  });

  it('refuses random bytes as unrecognised content', async () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => (i * 151 + 7) % 256));
    expect(await sniffMedia(bytes, 'a.jpg')).toEqual({ ok: false, reason: 'unrecognised content' });
  });

  it('refuses a known but unsupported format and names it', async () => {
    const pdf = Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n');
    expect(await sniffMedia(pdf, 'scan.jpg')).toEqual({
      ok: false,
      reason: 'content is application/pdf (.pdf), not a supported image or video',
    });
  });

  it('refuses a supported image hidden behind an unsupported extension', async () => {
    const jpeg = await makeImage({ seed: 4 });
    expect(await sniffMedia(jpeg, 'photo.jpg.exe')).toEqual({ ok: false, reason: 'unsupported file extension .exe' });
  });

  it('never throws, whatever the bytes and the name', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 5000 }), fc.string({ maxLength: 40 }), async (bytes, name) => {
        const result = await sniffMedia(bytes, name);
        expect(typeof result.ok).toBe('boolean');
        if (!result.ok) expect(result.reason.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on mangled media (real headers, random tails)', async () => {
    const seeds = await Promise.all(
      (['jpeg', 'png', 'gif', 'webp', 'tiff'] as const).map((format) => makeImage({ seed: 5, format })),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...seeds),
        fc.nat({ max: 64 }),
        fc.uint8Array({ maxLength: 64 }),
        async (image, cut, tail) => {
          const mangled = Buffer.concat([image.subarray(0, cut), tail]);
          await expect(sniffMedia(mangled, 'x.jpg')).resolves.toHaveProperty('ok');
        },
      ),
      { numRuns: 300 },
    );
  });
});
