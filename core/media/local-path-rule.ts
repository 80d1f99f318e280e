import { access, constants, realpath } from 'node:fs/promises';
import { isAbsolute, relative, sep } from 'node:path';

/**
 * Which local paths a `path` source (and a local manifest's entries) may name: the folders of LOCAL_MEDIA_ROOTS and what
 * lies below them, once every symbolic link is resolved; never the service's own files (DATA_DIR, its installation) nor
 * the kernel's pseudo file systems, even under a root.
 */
export interface LocalPathRule {
  /** LOCAL_MEDIA_ROOTS: absolute folders. None: local paths are refused. */
  readonly roots: readonly string[];
  /** Absolute folders that never qualify (DATA_DIR, the service's installation). */
  readonly excluded: readonly string[];
}

/** Always out of bounds: process and device views (`/proc/self/cwd` leads to the service's own files). */
const SYSTEM_EXCLUDED = ['/proc', '/sys', '/dev'];

/** Whether `path` is `folder` or lies below it (both absolute and resolved). */
function isWithin(path: string, folder: string): boolean {
  const rest = relative(folder, path);
  return rest === '' || (!isAbsolute(rest) && rest !== '..' && !rest.startsWith(`..${sep}`));
}

/**
 * The real path of `path` when it is readable and confined by the rule; undefined otherwise. Outside the roots, missing
 * and unreadable all answer the same undefined, so a caller cannot tell them apart (no existence oracle).
 */
export async function confinedLocalPath(path: string, rule: LocalPathRule): Promise<string | undefined> {
  if (!isAbsolute(path) || rule.roots.length === 0) return undefined;
  const real = await realpath(path).catch(() => undefined);
  if (real === undefined || !(await allowsReal(real, rule))) return undefined;
  return (await access(real, constants.R_OK).then(
    () => true,
    () => false,
  ))
    ? real
    : undefined;
}

/** Whether an already resolved path (e.g. a folder met while walking a root) may be read. */
export async function allowsReal(real: string, rule: LocalPathRule): Promise<boolean> {
  const [roots, excluded] = await Promise.all([
    realFolders(rule.roots),
    realFolders([...rule.excluded, ...SYSTEM_EXCLUDED]),
  ]);
  return roots.some((root) => isWithin(real, root)) && !excluded.some((folder) => isWithin(real, folder));
}

/** The folders with their symbolic links resolved, as the paths they are compared with; missing ones drop out. */
async function realFolders(folders: readonly string[]): Promise<string[]> {
  const resolved = await Promise.all(folders.map((folder) => realpath(folder).catch(() => undefined)));
  return resolved.filter((folder): folder is string => folder !== undefined);
}
