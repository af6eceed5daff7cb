import { isUtf8 } from 'node:buffer';
import { fhirError } from '../errors.js';

/**
 * What a request body's bytes are: its media type's parameters (`charset`) and how the body is
 * decoded. FHIR JSON is UTF-8 only (https://hl7.org/fhir/R4/http.html#mime-type, json.html): a
 * body that is not, or that declares another charset, is refused rather than read as mojibake.
 */
export interface MediaType {
  /** `type/subtype`, lower-cased ('' when none is given). */
  type: string;
  /** Parameter names lower-cased, values unquoted. */
  params: Record<string, string>;
}

export function parseMediaType(value: string | undefined): MediaType {
  const [head, ...rest] = (value ?? '').split(';');
  const params: Record<string, string> = {};
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
  }
  return { type: head.trim().toLowerCase(), params };
}

/** A declared charset other than UTF-8 answers 415: the server would misread the bytes. */
export function checkCharset(contentType: string | undefined): void {
  const charset = parseMediaType(contentType).params.charset?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw fhirError('UNSUPPORTED_MEDIA_TYPE', `charset=${charset.slice(0, 40)} is not supported: FHIR JSON is UTF-8`);
  }
}

/**
 * The body as text, refusing invalid UTF-8 (400) instead of replacing it with U+FFFD, which
 * would store something the client never sent. isUtf8 is one vectorised pass over the bytes.
 */
export function decodeUtf8(body: Buffer): string {
  if (!isUtf8(body)) throw fhirError('INVALID_JSON', 'The request body is not valid UTF-8');
  return body.toString('utf8');
}
