import { type BearerChallenge, NO_CREDENTIALS } from './bearer-challenge';

/** The API's answer to any missing or invalid credential (API.md "Authentication"). */
const NOT_AUTHENTICATED_DETAIL = 'Not authenticated';

/**
 * The caller did not prove an identity. `reason` says why, for the logs only: it never contains the token, and the
 * client always sees the same 401 `Not authenticated` whatever the reason; `challenge` goes in its WWW-Authenticate.
 */
export class NotAuthenticatedError extends Error {
  constructor(
    readonly reason: string,
    readonly challenge: BearerChallenge = NO_CREDENTIALS,
  ) {
    super(`${NOT_AUTHENTICATED_DETAIL}: ${reason}`);
    this.name = 'NotAuthenticatedError';
  }
}
