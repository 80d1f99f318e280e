/** The skip reason of a media whose bytes the dataset already holds; counted apart as `n_duplicates`. */
const PREFIX = 'already in the dataset';

export const duplicateReason = (mediaId: string): string => `${PREFIX} (same bytes as media ${mediaId})`;

export const isDuplicateReason = (reason: string): boolean => reason.startsWith(PREFIX);
