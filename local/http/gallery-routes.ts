import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { errorResponse } from '../../lambdas/http/responses';
import type { ServedRoute } from './api-server';

const GALLERY_DIR = join(import.meta.dirname, '..', 'gallery');

/** The gallery's files, and nothing else of that folder: a name not listed here is a 404, never a path. */
const FILES: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'gallery.js': 'text/javascript; charset=utf-8',
  'gallery.css': 'text/css; charset=utf-8',
};

/**
 * The page may run its own script and talk to this service only: no inline script, no other origin, no framing (the
 * buttons that start operations cannot be clickjacked). Thumbnails are this service's own URLs.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/**
 * The gallery (local/gallery/): plain HTML, CSS and JavaScript that use the public API only, served without
 * credentials (they hold no data), at `/` and `/gallery/{file}`.
 */
export const GALLERY_ROUTES: readonly ServedRoute[] = [
  { method: 'GET', resource: '/', name: 'gallery', public: true, serve: () => galleryFile('index.html') },
  {
    method: 'GET',
    resource: '/gallery/{file}',
    name: 'gallery-file',
    public: true,
    serve: (event) => galleryFile(event.pathParameters?.file ?? ''),
  },
];

async function galleryFile(name: string): Promise<APIGatewayProxyResult> {
  const contentType = Object.hasOwn(FILES, name) ? FILES[name] : undefined;
  if (!contentType) return errorResponse(404, 'Not Found');
  return {
    statusCode: 200,
    headers: {
      'Content-Type': contentType,
      // Revalidated on every load, so a new version of the service never runs with an old script.
      'Cache-Control': 'no-cache',
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'same-origin',
    },
    body: await readFile(join(GALLERY_DIR, name), 'utf8'),
  };
}
