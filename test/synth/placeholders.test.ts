import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { STATE_MACHINE_FILES } from '../../lib/pipeline/workflows';
import { type PipelineTestStack, synthPipeline } from './pipeline-test-stack';

/** Every `${Name}` placeholder an ASL file uses. */
function placeholders(file: string): string[] {
  return [...new Set([...readFileSync(file, 'utf8').matchAll(/\$\{(\w+)\}/g)].map((match) => match[1]!))].sort();
}

describe('ASL placeholders and the substitutions the construct deploys', () => {
  let synthesized: PipelineTestStack;
  beforeAll(() => {
    synthesized = synthPipeline();
  });

  it.each(Object.entries(STATE_MACHINE_FILES))(
    '%s: every placeholder has a substitution, and every substitution a placeholder',
    (name, file) => {
      const { stack, pipeline, template } = synthesized;
      const machine = pipeline.workflows[name as keyof typeof STATE_MACHINE_FILES];
      const resource = template.toJSON().Resources[stack.getLogicalId(machine.node.defaultChild as never)];
      const substitutions = resource.Properties.DefinitionSubstitutions as Record<string, unknown>;

      expect(placeholders(file).length).toBeGreaterThan(0);
      expect(Object.keys(substitutions).sort()).toEqual(placeholders(file));
      for (const [key, value] of Object.entries(substitutions)) expect(value, key).toBeTruthy();
    },
  );

  it('deploys the files themselves, not a copy of their definition', () => {
    const { template } = synthesized;
    for (const machine of Object.values(template.findResources('AWS::StepFunctions::StateMachine'))) {
      expect(machine.Properties.DefinitionS3Location).toBeDefined();
      expect(machine.Properties.DefinitionString).toBeUndefined();
    }
  });
});
