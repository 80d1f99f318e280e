import { readSetting, SETTING } from '../config/settings';

/** S3_FORCE_PATH_STYLE (default false): path-style addressing, which S3-compatible servers such as s3rver need. */
export const forcePathStyleSetting = (): boolean =>
  readSetting(process.env, 'S3_FORCE_PATH_STYLE', SETTING.boolean, false);
