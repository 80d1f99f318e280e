import { spawn } from 'node:child_process';
import { videoToolMissing } from '../../core/media/ffmpeg-install';
import type { ResizeMode } from './decode-image';
import { SkippableMediaError } from './media-errors';

export interface VideoFrameOptions {
  /** Output frames are `side`×`side`, resized as images are (`crop`: short side to `side`, centre; `fill`: each side). */
  readonly side: number;
  readonly resize?: ResizeMode;
  /** At most this many frames, spread evenly over the video. */
  readonly maxFrames: number;
  /** At most this many frames per second (short videos). */
  readonly maxFps: number;
  readonly ffmpegPath?: string;
  readonly ffprobePath?: string;
  readonly timeoutMs?: number;
}

export interface VideoFrames {
  /** `frameCount` interleaved RGB frames back to back. */
  readonly rgb: Uint8Array;
  readonly frameCount: number;
  readonly width: number;
  readonly height: number;
  readonly durationSeconds: number;
}

export const DEFAULT_VIDEO_FRAME_OPTIONS = { maxFrames: 16, maxFps: 1 } as const;

/**
 * Samples frames of the video file at `path` with ffmpeg: ceil(duration × maxFps) frames, at most maxFrames and at
 * least one, evenly spread, so a long video is covered end to end and a very short one still yields a frame. ffmpeg applies the rotation
 * metadata itself. A file ffmpeg cannot decode throws SkippableMediaError with ffmpeg's message; so does a missing ffmpeg/ffprobe,
 * with how to install it.
 */
export async function extractVideoFrames(path: string, options: VideoFrameOptions): Promise<VideoFrames> {
  const probe = await probeVideo(path, options);
  const wanted = Math.min(options.maxFrames, Math.max(1, Math.ceil(probe.durationSeconds * options.maxFps)));
  const rate = probe.durationSeconds > 0 ? wanted / probe.durationSeconds : options.maxFps;
  const side = options.side;
  const filter = [
    `fps=${rate.toFixed(6)}`,
    ...(options.resize === 'fill'
      ? [`scale=${side}:${side}:flags=bicubic`]
      : [`scale=${side}:${side}:force_original_aspect_ratio=increase:flags=bicubic`, `crop=${side}:${side}`]),
  ].join(',');
  const { stdout } = await runTool(
    options.ffmpegPath ?? 'ffmpeg',
    [
      '-nostdin',
      '-hide_banner',
      '-loglevel',
      'error',
      '-i',
      path,
      '-an',
      '-sn',
      '-vf',
      filter,
      '-frames:v',
      String(wanted),
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      'pipe:1',
    ],
    options.timeoutMs ?? 120_000,
  );
  const frameBytes = side * side * 3;
  const frameCount = Math.floor(stdout.length / frameBytes);
  if (frameCount === 0) throw new SkippableMediaError('cannot decode video: no decodable frames');
  return {
    rgb: new Uint8Array(stdout.buffer, stdout.byteOffset, frameCount * frameBytes),
    frameCount,
    width: probe.width,
    height: probe.height,
    durationSeconds: probe.durationSeconds,
  };
}

interface Probe {
  readonly width: number;
  readonly height: number;
  readonly durationSeconds: number;
}

async function probeVideo(path: string, options: VideoFrameOptions): Promise<Probe> {
  const { stdout } = await runTool(
    options.ffprobePath ?? 'ffprobe',
    [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-show_entries',
      'stream=width,height:stream_side_data=rotation:format=duration',
      '-of',
      'json',
      path,
    ],
    options.timeoutMs ?? 120_000,
  );
  const parsed = JSON.parse(stdout.toString('utf8')) as {
    streams?: { width?: number; height?: number; side_data_list?: { rotation?: number }[] }[];
    format?: { duration?: string };
  };
  const stream = parsed.streams?.[0];
  if (!stream?.width || !stream.height) throw new SkippableMediaError('cannot decode video: no video stream');
  const rotation = Math.abs(stream.side_data_list?.find((entry) => entry.rotation !== undefined)?.rotation ?? 0);
  const quarterTurn = rotation % 180 === 90;
  const duration = Number(parsed.format?.duration);
  return {
    width: quarterTurn ? stream.height : stream.width,
    height: quarterTurn ? stream.width : stream.height,
    durationSeconds: Number.isFinite(duration) ? duration : 0,
  };
}

function runTool(command: string, args: readonly string[], timeoutMs: number): Promise<{ stdout: Buffer }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 4000) stderr += chunk.toString('utf8');
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      // Without ffmpeg only the videos are lost, each with how to fix it; the images of the batch go on.
      if (error.code === 'ENOENT') reject(new SkippableMediaError(videoToolMissing(command)));
      else reject(new Error(`${command} could not run: ${error.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ stdout: Buffer.concat(chunks) });
      // A tool that ran and refused the file (or hung on it) is the file's problem.
      else
        reject(
          new SkippableMediaError(
            `cannot decode video: ${command} ${signal ? `killed (${signal})` : `exit ${code}`}: ${firstLine(stderr) || 'no message'}`,
          ),
        );
    });
  });
}

const firstLine = (text: string): string => text.trim().split('\n')[0]?.slice(0, 300) ?? '';
