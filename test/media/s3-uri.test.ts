import { describe, expect, it } from 'vitest';
import { classifyS3Source, InvalidS3UriError, manifestFormatOf, parseS3Uri } from '../../core/media/s3-uri';

describe('parseS3Uri', () => {
  it.each([
    ['s3://my-bucket/photos/2024/', { bucket: 'my-bucket', key: 'photos/2024/' }],
    ['s3://my.bucket.example/a b/ü.jpg', { bucket: 'my.bucket.example', key: 'a b/ü.jpg' }],
    ['s3://abc', { bucket: 'abc', key: '' }],
    ['s3://abc/', { bucket: 'abc', key: '' }],
    ['s3://bucket--usw2-az1--x-s3/k', { bucket: 'bucket--usw2-az1--x-s3', key: 'k' }],
  ])('parses %s', (uri, location) => {
    expect(parseS3Uri(uri)).toEqual(location);
  });

  it.each([
    ['https://bucket/key', 'it must start with s3://'],
    ['s3://ab/key', 'the bucket name must be 3 to 63 characters long'],
    [`s3://${'a'.repeat(64)}/key`, 'the bucket name must be 3 to 63 characters long'],
    [
      's3://My-Bucket/key',
      'the bucket name may contain only lower-case letters, digits, dots and hyphens, and must start and end with a letter or digit',
    ],
    [
      's3://bucket_/key',
      'the bucket name may contain only lower-case letters, digits, dots and hyphens, and must start and end with a letter or digit',
    ],
    [
      's3://-bucket/key',
      'the bucket name may contain only lower-case letters, digits, dots and hyphens, and must start and end with a letter or digit',
    ],
    ['s3://my..bucket/key', 'the bucket name has adjacent dots or hyphens'],
    ['s3://my.-bucket/key', 'the bucket name has adjacent dots or hyphens'],
    ['s3://192.168.1.10/key', 'the bucket name must not be an IP address'],
    ['s3://bucket/a\nb', 'the key contains control characters'],
    [`s3://bucket/${'k'.repeat(1025)}`, 'the key is longer than 1024 bytes'],
  ])('refuses %s: %s', (uri, reason) => {
    expect(() => parseS3Uri(uri)).toThrow(new InvalidS3UriError(uri, reason));
  });

  it.each(['s3://bucket', 's3://bucket/', 's3://bucket/folder/'])('refuses %s where an object is required', (uri) => {
    expect(() => parseS3Uri(uri, { requireKey: true })).toThrow('it must name an object, not a folder');
  });
});

describe('classifyS3Source', () => {
  it.each([
    ['s3://bucket/list.csv', 'manifest'],
    ['s3://bucket/dir/list.PARQUET', 'manifest'],
    ['s3://bucket/list.txt', 'manifest'],
    ['s3://bucket/photos/', 'folder'],
    ['s3://bucket/photos', 'folder'],
    ['s3://bucket', 'folder'],
    ['s3://bucket/photo.jpg', 'folder'],
  ])('%s is a %s', (uri, kind) => {
    expect(classifyS3Source(uri)).toBe(kind);
  });

  it('throws on a malformed URI', () => {
    expect(() => classifyS3Source('s3://X/list.csv')).toThrow(InvalidS3UriError);
  });

  it('names the manifest format', () => {
    expect(manifestFormatOf('a/b.Csv')).toBe('csv');
    expect(manifestFormatOf('a/b.csv.gz')).toBeUndefined();
  });
});
