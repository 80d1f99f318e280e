/** How to get ffmpeg/ffprobe, which videos need (frames are sampled with ffmpeg, probed with ffprobe). */
export const INSTALL_FFMPEG_HINT =
  'install ffmpeg (Debian/Ubuntu: sudo apt-get install ffmpeg; macOS: brew install ffmpeg) and restart the service';

/** The skip reason of a video when a tool is missing: the media is skipped, the rest of the batch goes on. */
export const videoToolMissing = (tool: string) => `video skipped: ${tool} is not installed; ${INSTALL_FFMPEG_HINT}`;
