import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  displayNameOfStagedUpload,
  generateMediaId,
  isMediaId,
  safeFileName,
  sanitizeDisplayName,
  stagedUploadFileName,
} from '../../core/media/safe-names';

describe('safeFileName', () => {
  it.each([
    ['holiday photo.JPG', 'holiday_photo.jpg'],
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\me\\cat.png', 'cat.png'],
    ['.hidden.jpg', 'hidden.jpg'],
    ['Ünïcödé café.webp', 'Unicode_cafe.webp'],
    ['猫.gif', 'file.gif'],
    ['', 'file'],
    ['..', 'file'],
  ])('%s becomes %s', (name, safe) => {
    expect(safeFileName(name)).toBe(safe);
  });

  it('keeps the extension when it shortens a long name', () => {
    const safe = safeFileName(`${'x'.repeat(300)}.jpeg`);
    expect(safe).toHaveLength(100);
    expect(safe.endsWith('.jpeg')).toBe(true);
  });

  it('only ever yields a plain, non-hidden file name', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (name) => {
        const safe = safeFileName(name);
        expect(safe).toMatch(/^[A-Za-z0-9-][A-Za-z0-9._-]{0,99}$/);
        expect(safe).not.toContain('..');
      }),
    );
  });
});

describe('staged upload names', () => {
  it('prefix the position and come back as a display name', () => {
    const stored = stagedUploadFileName(3, 'my cat.jpg');
    expect(stored).toBe('3-my_cat.jpg');
    expect(displayNameOfStagedUpload(stored)).toBe('my_cat.jpg');
  });
});

describe('sanitizeDisplayName', () => {
  it('removes control and bidi-override characters', () => {
    expect(sanitizeDisplayName('evil\u202egpj.exe\n\u0000x')).toBe('evil gpj.exe x');
  });

  it('keeps paths and unicode readable', () => {
    expect(sanitizeDisplayName('photos/été/猫.jpg')).toBe('photos/été/猫.jpg');
  });

  it('shortens very long names and never returns an empty one', () => {
    expect(Array.from(sanitizeDisplayName('é'.repeat(400)))).toHaveLength(255);
    expect(sanitizeDisplayName(' \u0001 ')).toBe('(unnamed)');
  });
});

describe('generateMediaId', () => {
  it('is deterministic per operation and position', () => {
    expect(generateMediaId('op-1', 7)).toBe(generateMediaId('op-1', 7));
    expect(generateMediaId('op-1', 7)).not.toBe(generateMediaId('op-1', 8));
    expect(generateMediaId('op-1', 7)).not.toBe(generateMediaId('op-2', 7));
    expect(isMediaId(generateMediaId('op-1', 7))).toBe(true);
  });

  it('refuses a negative or fractional position', () => {
    expect(() => generateMediaId('op', -1)).toThrow(RangeError);
    expect(() => generateMediaId('op', 1.5)).toThrow(RangeError);
  });
});
