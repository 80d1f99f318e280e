/**
 * Failures that belong to one media (it is gone, or its bytes are not a decodable image/video): the media is skipped
 * with this message as the reason. Any other error stops the shard: it is the operation's problem, not the media's.
 */
export class SkippableMediaError extends Error {
  override readonly name = 'SkippableMedia';
}
