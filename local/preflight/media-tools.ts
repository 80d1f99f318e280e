import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { INSTALL_FFMPEG_HINT } from '../../core/media/ffmpeg-install';

const VIDEO_TOOLS = ['ffmpeg', 'ffprobe'] as const;

/** Whether an executable `name` is in one of the folders of `path` (a PATH value). */
export function onPath(name: string, path: string): boolean {
  return path
    .split(delimiter)
    .filter(Boolean)
    .some((folder) => {
      try {
        accessSync(join(folder, name), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
}

/** Looked up once at start: without ffmpeg/ffprobe videos are skipped (with this advice as reason), images still work. */
export function checkVideoTools(env: NodeJS.ProcessEnv): string[] {
  const missing = VIDEO_TOOLS.filter((tool) => !onPath(tool, env.PATH ?? ''));
  if (missing.length === 0) return [];
  return [
    `${missing.join(' and ')} not found on PATH: videos will be skipped, images are processed; ${INSTALL_FFMPEG_HINT}`,
  ];
}
