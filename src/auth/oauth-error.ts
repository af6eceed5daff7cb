/**
 * Token endpoint errors are OAuth 2.0 error responses (RFC 6749 §5.2: `{"error", "error_description"}`),
 * not OperationOutcomes: the clients reading them are OAuth libraries.
 */
export type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unauthorized_client' | 'unsupported_grant_type' | 'invalid_scope';

export class OAuthError extends Error {
  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
    readonly status = error === 'invalid_client' ? 401 : 400,
  ) {
    super(description);
  }

  toJSON(): { error: string; error_description: string } {
    return { error: this.error, error_description: this.description };
  }
}

/**
 * The OAuth body for an error raised around the token endpoint by the framework (rate limit, body
 * limits, media type, internal): `temporarily_unavailable` for 429 (with Retry-After; RFC 6749
 * defines no rate-limit code, this is the one that says "retry later"), `server_error` for 5xx,
 * `invalid_request` otherwise.
 */
export function oauthErrorBody(status: number, description: string): { error: string; error_description: string } {
  const error = status === 429 ? 'temporarily_unavailable' : status >= 500 ? 'server_error' : 'invalid_request';
  return { error, error_description: status >= 500 ? 'internal error' : description };
}
