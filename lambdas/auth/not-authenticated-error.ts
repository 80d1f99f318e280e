/** The API's answer to any missing or invalid credential (API.md "Authentication"). */
const NOT_AUTHENTICATED_DETAIL = 'Not authenticated';

/**
 * The caller did not prove an identity. `reason` says why, for the logs only: it never contains the token, and the
 * client always sees the same 401 `Not authenticated` whatever the reason.
 */
export class NotAuthenticatedError extends Error {
  constructor(readonly reason: string) {
    super(`${NOT_AUTHENTICATED_DETAIL}: ${reason}`);
    this.name = 'NotAuthenticatedError';
  }
}
