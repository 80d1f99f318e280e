/** Header names of the location column in csv and parquet manifests (case-insensitive), by precedence. */
export const LOCATION_COLUMNS = ['path', 's3_uri', 'uri', 'url', 'key', 'filename'] as const;

/** Index of the location column in a csv header or parquet schema, -1 when there is none. */
export function locationColumnIndex(header: readonly unknown[]): number {
  const normalised = header.map((cell) => String(cell).trim().toLowerCase());
  for (const wanted of LOCATION_COLUMNS) {
    const index = normalised.indexOf(wanted);
    if (index !== -1) return index;
  }
  return -1;
}

export const noLocationColumn = (name: string) =>
  `Manifest ${name} has no location column; name one of: ${LOCATION_COLUMNS.join(', ')}`;
