import type { IncomingMessage } from 'node:http';

export type BodyResult = { readonly kind: 'ok'; readonly body: Buffer } | { readonly kind: 'too_large' };

/**
 * Reads the whole request body, keeping at most `maxBytes`. A larger body is read to its end and dropped, so the client
 * finishes sending and can read the 413 (closing early would surface as a reset instead of an answer).
 */
export function readBody(request: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        tooLarge = true;
        chunks.length = 0;
      } else if (!tooLarge) {
        chunks.push(chunk);
      }
    });
    request.once('end', () => resolve(tooLarge ? { kind: 'too_large' } : { kind: 'ok', body: Buffer.concat(chunks) }));
    request.once('error', reject);
  });
}
