import { describe, expect, it } from 'vitest';
import { parseCliArgs, UsageError } from '../../local/cli/args';
import { progressLine } from '../../local/cli/progress';

describe('run_profiler.sh arguments', () => {
  it.each([
    [
      ['-o', 'add_media', '-d', 'ds', '-p', '/media/new'],
      { operation: 'add_media', datasetId: 'ds', path: '/media/new', autoReindex: false },
    ],
    [
      ['-o', 'add_media', '-d', 'ds', '-p', '/media/new', '-a'],
      { operation: 'add_media', datasetId: 'ds', path: '/media/new', autoReindex: true },
    ],
    [['-o', 'reindex', '-d', 'ds'], { operation: 'reindex', datasetId: 'ds' }],
    [['-o', 'create', '-n', 'My set', '-p', 'folder'], { operation: 'create', name: 'My set', path: 'folder' }],
    [['-o', 'status', '-d', 'ds'], { operation: 'status', datasetId: 'ds' }],
    [['--help'], { operation: 'help' }],
  ])('reads %j', (args, command) => {
    expect(parseCliArgs(args)).toEqual(command);
  });

  it.each([
    [[], '-o <operation> is required'],
    [['-o', 'delete', '-d', 'ds'], 'unknown operation "delete"'],
    [['-o', 'add_media', '-d', 'ds'], '-o add_media needs -p <path>'],
    [['-o', 'reindex'], '-o reindex needs -d <dataset_id>'],
    [['-o', 'reindex', '-d', 'ds', '-x'], "Unknown option '-x'"],
  ])('refuses %j: %s', (args, message) => {
    expect(() => parseCliArgs(args)).toThrow(UsageError);
    expect(() => parseCliArgs(args)).toThrow(message);
  });
});

describe('progress line', () => {
  it("draws the bar from the operation's progress, with its phase while it runs", () => {
    const line = progressLine({ progress: 50, status: 'RUNNING', phase: 'embed', n_added: null } as never);
    expect(line).toBe(`[${'#'.repeat(15)}${'.'.repeat(15)}]  50%  embed`);
  });

  it('shows the outcome and the counts once the operation has ended', () => {
    const line = progressLine({
      progress: 100,
      status: 'SUCCEEDED',
      phase: 'embed',
      n_added: 4,
      n_skipped: 1,
    } as never);
    expect(line).toBe(`[${'#'.repeat(30)}] 100%  SUCCEEDED  (4 added, 1 skipped)`);
  });
});
