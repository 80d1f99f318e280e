import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * Validates a synthesized template against CloudFormation's resource schemas as @awboost/cfn-resource-types publishes
 * them (TypeScript types generated from the registry: property names, required properties, types and enums). Each
 * resource's Properties become an object literal typed with its `…Properties` type and the TypeScript checker does the
 * rest; intrinsic functions (Ref, Fn::*) stand for any value. What the types cannot carry (lengths, numeric ranges,
 * patterns) is not checked.
 */
export interface SchemaCheck {
  /** `LogicalId (Type): message` for each violation. */
  readonly violations: readonly string[];
  /** Types the package has no schema for (custom resources, CDK metadata). */
  readonly unschematised: readonly string[];
  readonly checkedResources: number;
}

const require = createRequire(import.meta.url);
const PACKAGE = '@awboost/cfn-resource-types';
const PACKAGE_LIB = fileURLToPath(new URL('.', `file://${require.resolve(`${PACKAGE}/AWS-S3-Bucket`)}`));
// A file that never exists on disk: the compiler host serves it from memory.
const VIRTUAL_FILE = fileURLToPath(new URL('./__registry-schema-check__.ts', import.meta.url));

interface Template {
  readonly Resources: Record<string, { readonly Type: string; readonly Properties?: unknown }>;
}

/** Checks several templates (by label) in one compilation. */
export function checkRegistrySchemas(templates: Readonly<Record<string, Template>>): SchemaCheck {
  const imports: string[] = [];
  const declarations: string[] = [];
  const owners: { line: number; resource: string }[] = [];
  const unschematised = new Set<string>();
  const typeAlias = new Map<string, string>();
  let line = 1;

  const resources = Object.entries(templates).flatMap(([label, template]) =>
    Object.entries(template.Resources).map(([logicalId, resource]) => [`${label}:${logicalId}`, resource] as const),
  );
  for (const [logicalId, resource] of resources) {
    const file = resource.Type.replaceAll('::', '-');
    const declarationFile = `${PACKAGE_LIB}${file}.d.ts`;
    if (!existsSync(declarationFile)) {
      unschematised.add(resource.Type);
      continue;
    }
    if (!typeAlias.has(resource.Type)) {
      const name = readFileSync(declarationFile, 'utf8').match(/export type (\w+Properties) = /)?.[1];
      if (!name) throw new Error(`${declarationFile} exports no …Properties type`);
      const alias = `T${typeAlias.size}`;
      typeAlias.set(resource.Type, alias);
      imports.push(`import type { ${name} as ${alias} } from '${PACKAGE}/${file}';`);
    }
    const literal = toLiteral(resource.Properties ?? {});
    owners.push({ line, resource: `${logicalId} (${resource.Type})` });
    declarations.push(`export const r${owners.length}: ${typeAlias.get(resource.Type)} = ${literal};`);
    line += literal.split('\n').length;
  }

  const header = [...imports, 'declare const $: any;'];
  const source = [...header, ...declarations].join('\n');
  const firstDeclarationLine = header.length + 1;
  const diagnostics = compile(source);
  const violations = diagnostics.map((diagnostic) => {
    const at =
      diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line + 1 - firstDeclarationLine + 1;
    const owner = owners.filter((entry) => entry.line <= at).at(-1);
    return `${owner?.resource ?? '?'}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`;
  });
  return { violations, unschematised: [...unschematised].sort(), checkedResources: owners.length };
}

/** JSON as a TypeScript object literal, every intrinsic function replaced by `$` (any). */
function toLiteral(value: unknown, indent = ''): string {
  if (Array.isArray(value)) return `[${value.map((item) => toLiteral(item, indent)).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::') || keys[0] === 'Condition')) return '$';
    const inner = `${indent}  `;
    const entries = keys.map(
      (key) => `${inner}${JSON.stringify(key)}: ${toLiteral((value as Record<string, unknown>)[key], inner)}`,
    );
    return entries.length ? `{\n${entries.join(',\n')}\n${indent}}` : '{}';
  }
  return JSON.stringify(value);
}

function compile(source: string): readonly ts.Diagnostic[] {
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, ...rest) =>
    fileName === VIRTUAL_FILE
      ? ts.createSourceFile(fileName, source, languageVersion)
      : getSourceFile(fileName, languageVersion, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (fileName) => fileName === VIRTUAL_FILE || fileExists(fileName);
  const program = ts.createProgram([VIRTUAL_FILE], options, host);
  return [...program.getSyntacticDiagnostics(), ...program.getSemanticDiagnostics()].filter(
    (diagnostic) => diagnostic.file?.fileName === VIRTUAL_FILE,
  );
}
