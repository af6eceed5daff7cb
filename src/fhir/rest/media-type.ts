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

/**
 * The FHIR version this server speaks, as the `fhirVersion` media type parameter names it
 * (https://hl7.org/fhir/R4/http.html#version-parameter: major.minor; 4.0.1 is accepted too).
 */
export const FHIR_VERSION = '4.0';
const OUR_VERSION = /^4\.0(\.\d+)?$/;

/** Whether a media type's `fhirVersion` (if any) is one this server serves. */
export function fhirVersionOk(mt: MediaType): boolean {
  const v = mt.params.fhirversion;
  return v === undefined || OUR_VERSION.test(v);
}

/**
 * A request body's media type parameters: a charset other than UTF-8 (the server would misread
 * the bytes) or another FHIR version (it would be read as R4) answers 415.
 */
export function checkBodyMediaType(contentType: string | undefined): void {
  if (contentType === undefined || !contentType.includes(';')) return; // no parameters: nothing to refuse (the usual case)
  const mt = parseMediaType(contentType);
  const charset = mt.params.charset?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw fhirError('UNSUPPORTED_MEDIA_TYPE', `charset=${charset.slice(0, 40)} is not supported: request bodies are read as UTF-8 (FHIR JSON is UTF-8)`);
  }
  if (!fhirVersionOk(mt)) {
    throw fhirError('UNSUPPORTED_MEDIA_TYPE', `fhirVersion=${mt.params.fhirversion.slice(0, 20)} is not supported: this server speaks FHIR ${FHIR_VERSION} (R4)`);
  }
}

/**
 * Content-Encoding on a request body: only the codings the receiver decodes itself pass
 * (Fastify decodes none, so a JSON body passes unencoded only; $import-vcf reads gzip); any
 * other answers 415 (RFC 9110 §8.4.1) instead of being parsed as if it were not encoded.
 */
export function checkContentEncoding(value: string | undefined, decoded: readonly string[] = []): void {
  if (value === undefined || value === '') return;
  for (const coding of (value ?? '').split(',').map((c) => c.trim().toLowerCase()).filter(Boolean)) {
    if (coding === 'identity' || decoded.includes(coding)) continue;
    throw fhirError('UNSUPPORTED_MEDIA_TYPE', `Content-Encoding ${coding.slice(0, 40)} is not supported (${decoded.length ? `${decoded[0]} is` : 'send the body unencoded'})`);
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
