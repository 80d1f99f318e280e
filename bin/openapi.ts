/**
 * Writes docs/openapi.json and docs/operation-event.schema.json from the code (`npm run openapi`);
 * test/api/openapi-document.test.ts fails while a committed file differs from what this writes.
 */
import { writeFileSync } from 'node:fs';
import { openApiText } from '../core/api-schema/openapi-document';
import { operationEventSchemaText } from '../core/api-schema/operation-event';

for (const [file, text] of [
  ['openapi.json', openApiText()],
  ['operation-event.schema.json', operationEventSchemaText()],
] as const) {
  const target = new URL(`../docs/${file}`, import.meta.url);
  writeFileSync(target, text);
  console.log(`wrote ${target.pathname}`);
}
