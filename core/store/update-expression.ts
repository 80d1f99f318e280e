/**
 * Builds UpdateItem expressions from named pieces so every attribute name goes through ExpressionAttributeNames
 * (reserved words such as `status` and nested paths such as `last_operation.status` just work).
 */
export interface UpdateSpec {
  readonly set?: Readonly<Record<string, unknown>>;
  readonly add?: Readonly<Record<string, number>>;
  readonly remove?: readonly string[];
}

export class ExpressionBuilder {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  private nameCount = 0;
  private valueCount = 0;
  private readonly nameAliases = new Map<string, string>();

  /** `a.b.c` → `#n0.#n1.#n2`, reusing aliases for repeated segments. */
  path(attributePath: string): string {
    return attributePath
      .split('.')
      .map((segment) => {
        let alias = this.nameAliases.get(segment);
        if (!alias) {
          alias = `#n${this.nameCount++}`;
          this.nameAliases.set(segment, alias);
          this.names[alias] = segment;
        }
        return alias;
      })
      .join('.');
  }

  value(value: unknown): string {
    const alias = `:v${this.valueCount++}`;
    this.values[alias] = value;
    return alias;
  }

  update(spec: UpdateSpec): string {
    const clauses: string[] = [];
    const sets = Object.entries(spec.set ?? {}).filter(([, v]) => v !== undefined);
    if (sets.length) clauses.push(`SET ${sets.map(([p, v]) => `${this.path(p)} = ${this.value(v)}`).join(', ')}`);
    const adds = Object.entries(spec.add ?? {});
    if (adds.length) clauses.push(`ADD ${adds.map(([p, v]) => `${this.path(p)} ${this.value(v)}`).join(', ')}`);
    if (spec.remove?.length) clauses.push(`REMOVE ${spec.remove.map((p) => this.path(p)).join(', ')}`);
    if (!clauses.length) throw new Error('An update needs at least one SET, ADD or REMOVE');
    return clauses.join(' ');
  }

  /** Values map, or undefined when empty (DynamoDB rejects an empty ExpressionAttributeValues). */
  valuesOrUndefined(): Record<string, unknown> | undefined {
    return Object.keys(this.values).length ? this.values : undefined;
  }
}
