import { type Issue, type IssueCode } from './outcome.js';

/**
 * The error catalog: every error the server raises on purpose has a stable code, an HTTP status
 * and a FHIR IssueType. Handlers throw `FhirError`s built from here; the HTTP layer's single
 * error handler turns them (and anything unexpected) into OperationOutcome responses.
 */
export const ErrorCatalog = {
  NOT_FOUND: { status: 404, code: 'not-found' },
  UNKNOWN_TYPE: { status: 404, code: 'not-supported' },
  UNKNOWN_ROUTE: { status: 404, code: 'not-found' },
  GONE: { status: 410, code: 'deleted' },
  INVALID_JSON: { status: 400, code: 'structure' },
  BAD_REQUEST: { status: 400, code: 'invalid' },
  INVALID_SEARCH: { status: 400, code: 'invalid' },
  INVALID_RESOURCE: { status: 400, code: 'structure' },
  UNPROCESSABLE: { status: 422, code: 'processing' },
  PROFILE_VIOLATION: { status: 422, code: 'processing' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, code: 'not-supported' },
  NOT_ACCEPTABLE: { status: 406, code: 'not-supported' },
  PAYLOAD_TOO_LARGE: { status: 413, code: 'too-long' },
  URI_TOO_LONG: { status: 414, code: 'too-long' },
  METHOD_NOT_ALLOWED: { status: 405, code: 'not-supported' },
  CONFLICT: { status: 409, code: 'conflict' },
  PRECONDITION_FAILED: { status: 412, code: 'conflict' },
  MULTIPLE_MATCHES: { status: 412, code: 'multiple-matches' },
  UNAUTHORIZED: { status: 401, code: 'login' },
  FORBIDDEN: { status: 403, code: 'forbidden' },
  TOO_MANY_REQUESTS: { status: 429, code: 'throttled' },
  TOO_COSTLY: { status: 400, code: 'too-costly' },
  TRANSACTIONS_UNSUPPORTED: { status: 501, code: 'not-supported' },
  /** A request the server supports, but not where it was sent (an operation as a transaction entry). */
  NOT_SUPPORTED_HERE: { status: 400, code: 'not-supported' },
  NOT_IMPLEMENTED: { status: 501, code: 'not-supported' },
  TIMEOUT: { status: 503, code: 'timeout' },
  UNAVAILABLE: { status: 503, code: 'transient' },
  INTERNAL: { status: 500, code: 'exception' },
} as const satisfies Record<string, { status: number; code: IssueCode }>;

export type ErrorKey = keyof typeof ErrorCatalog;

export class FhirError extends Error {
  readonly status: number;
  readonly issues: Issue[];
  readonly key: ErrorKey;
  /** Extra response headers (e.g. `WWW-Authenticate`, `Retry-After`). */
  readonly headers: Record<string, string>;

  constructor(key: ErrorKey, message: string, opts: { expression?: string | string[]; issues?: Issue[]; headers?: Record<string, string> } = {}) {
    super(message);
    const entry = ErrorCatalog[key];
    this.key = key;
    this.status = entry.status;
    this.headers = opts.headers ?? {};
    const expression = opts.expression === undefined ? undefined : Array.isArray(opts.expression) ? opts.expression : [opts.expression];
    this.issues = opts.issues?.length
      ? opts.issues.map((i) => restamped(i, key))
      : [{ severity: 'error', code: entry.code, diagnostics: message, expression, catalogCode: key }];
  }
}

/**
 * An issue built from one catalog entry, re-raised under another (a patch result that is not a
 * valid resource: 400 → 422): its `details` code and IssueType follow the error it is now part of,
 * or a 422 would say BAD_REQUEST. Issues without a catalog code (validation's) keep their own code.
 */
function restamped(issue: Issue, key: ErrorKey): Issue {
  if (issue.catalogCode === undefined || issue.catalogCode === key) return issue;
  return { ...issue, code: ErrorCatalog[key].code, catalogCode: key };
}

/** Shorthand used across the core: `throw fhirError('NOT_FOUND', 'Patient/p1 is not known')`. */
export function fhirError(key: ErrorKey, message: string, expression?: string | string[]): FhirError {
  return new FhirError(key, message, { expression });
}

/** A 4xx/422 carrying many issues at once (validation reports every problem, bounded). */
export function validationError(issues: Issue[], key: ErrorKey = 'UNPROCESSABLE'): FhirError {
  const first = issues.find((i) => i.severity === 'error' || i.severity === 'fatal') ?? issues[0];
  return new FhirError(key, first?.diagnostics ?? 'invalid resource', { issues });
}
