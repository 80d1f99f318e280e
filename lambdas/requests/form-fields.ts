import * as z from 'zod/mini';
import { TEXT_FIELD_SCHEMAS, type TextFieldName } from '../../core/api-schema/form-fields';

export type TextFieldValues = { -readonly [K in TextFieldName]?: z.output<(typeof TEXT_FIELD_SCHEMAS)[K]> };

/** Parses the given fields by the schemas the OpenAPI document is generated from; the first bad one is reported by name. */
export function parseTextFields(
  values: Readonly<Partial<Record<TextFieldName, string>>>,
): { ok: true; values: TextFieldValues } | { ok: false; detail: string } {
  const schema = z.partial(z.object(TEXT_FIELD_SCHEMAS));
  const parsed = schema.safeParse(values);
  if (parsed.success) return { ok: true, values: parsed.data };
  return { ok: false, detail: parsed.error.issues[0]?.message ?? 'Invalid form field' };
}
