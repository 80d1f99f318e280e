/**
 * Writes docs/openapi.json from the code (`npm run openapi`); test/api/openapi-document.test.ts fails while the
 * committed file differs from what this writes.
 */
import { writeFileSync } from 'node:fs';
import { openApiText } from '../core/api-schema/openapi-document';

const target = new URL('../docs/openapi.json', import.meta.url);
writeFileSync(target, openApiText());
console.log(`wrote ${target.pathname}`);
