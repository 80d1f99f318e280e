/**
 * Headers as the two callers hand them over: API Gateway events (`headers` / `multiValueHeaders`, names as sent) and the
 * local runtime (Node's IncomingHttpHeaders: lower-case names, repeated headers as arrays).
 */
export type RequestHeaders = Readonly<Record<string, string | readonly string[] | undefined>> | null | undefined;

/** Every value of one header, whatever the case of its name; HTTP header names are case-insensitive. */
export function headerValues(headers: RequestHeaders, name: string): string[] {
  if (!headers) return [];
  const wanted = name.toLowerCase();
  const values: string[] = [];
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    if (typeof value === 'string') values.push(value);
    else values.push(...value);
  }
  return values;
}

/** The single value of a header, or undefined when absent; repeated values are joined the way HTTP folds them. */
export function headerValue(headers: RequestHeaders, name: string): string | undefined {
  const values = headerValues(headers, name);
  return values.length === 0 ? undefined : values.join(', ');
}
