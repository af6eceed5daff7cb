import type { Period } from '@medplum/fhirtypes';
import { fhirError } from '../../fhir/errors.js';
import { dateRange } from '../../search/normalize.js';
import { type Allele, alleleProblem } from '../variant-notation/allele.js';
import { type AccessionInfo, REFSEQ_ACCESSION, describeAccession, isNucleotideAccession } from '../variant-notation/accession.js';
import { hgvsText, parseHgvs } from '../variant-notation/hgvs.js';
import { looksLikeSpdi, parseSpdi } from '../variant-notation/spdi.js';
import type { InputValue } from './params.js';

/**
 * Parsing of the operations' typed string inputs. Every failure is a 400 naming the parameter.
 */
export interface GenomicRange {
  text: string;
  accession: string;
  /** 0-based, half-open. */
  start: number;
  end: number;
  info?: AccessionInfo;
}

/** Ranges are cut at this position (see parseRange). */
export const MAX_POSITION = 2 ** 31 - 1;

/** `NC_000019.9:11200138-11244496`: zero-based RefSeq:Integer-range (IG operations page). */
export function parseRange(text: string, param = 'ranges'): GenomicRange {
  const m = /^([A-Z]{2}_\d+\.\d+):(\d+)-(\d+)$/.exec(text.trim());
  if (!m || !REFSEQ_ACCESSION.test(m[1])) {
    throw fhirError('BAD_REQUEST', `Malformed range '${text}': expected zero-based RefSeq:Integer-range such as NC_000019.9:11200138-11244496`, param);
  }
  if (!isNucleotideAccession(m[1])) {
    throw fhirError('BAD_REQUEST', `Range '${text}': ${m[1]} is not a RefSeq nucleotide accession (NC_, NG_, NT_, NW_, NZ_, AC_, NM_, NR_, XM_, XR_): no Variant can lie on it`, param);
  }
  const start = Number(m[2]);
  const end = Number(m[3]);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end)) {
    throw fhirError('BAD_REQUEST', `Malformed range '${text}': positions must be integers below 2^53`, param);
  }
  if (end <= start) throw fhirError('BAD_REQUEST', `Malformed range '${text}': the end must be greater than the start`, param);
  // No sequence is near 2^31 bases (the longest human chromosome has 248,956,422): what lies past
  // it holds nothing, and the bins below count in 32-bit integers
  return { text, accession: m[1], start: Math.min(start, MAX_POSITION), end: Math.min(end, MAX_POSITION), info: describeAccession(m[1]) };
}

export interface VariantQuery {
  text: string;
  accession: string;
  /** Canonical allele when the input can be converted without a reference sequence. */
  allele?: Allele;
  /** Exact HGVS text (for transcript/protein HGVS and genomic forms we cannot convert). */
  hgvs?: string;
  info?: AccessionInfo;
}

export function parseVariant(text: string, param = 'variants'): VariantQuery {
  const t = text.trim();
  if (looksLikeSpdi(t)) {
    const allele = parseSpdi(t);
    if (!allele) throw fhirError('BAD_REQUEST', `Malformed SPDI '${text}': expected sequence:position:deletion:insertion such as NC_000019.10:11200137:G:A`, param);
    const problem = alleleProblem(allele);
    if (problem) throw fhirError('BAD_REQUEST', `Malformed SPDI '${text}': ${problem}`, param);
    return { text, accession: allele.accession, allele, info: describeAccession(allele.accession) };
  }
  const h = parseHgvs(t);
  if (!h) throw fhirError('BAD_REQUEST', `Malformed variant '${text}': expected HGVS (NC_000019.10:g.11200138G>A) or SPDI (NC_000019.10:11200137:G:A)`, param);
  if (h.problem) throw fhirError('BAD_REQUEST', `Malformed HGVS '${text}': ${h.problem}`, param);
  return { text, accession: h.accession, allele: h.allele, hgvs: hgvsText(t), info: describeAccession(h.accession) };
}

/**
 * `Patient/p1` from `p1`, `Patient/p1` or `{this server's base}/Patient/p1`. A subject on
 * another server is another person, whatever its id: it is refused, never read as the local one.
 */
export function parseSubject(text: string | undefined, baseUrl: string): string {
  let t = (text ?? '').trim();
  if (/^[A-Za-z0-9\-.]{1,64}$/.test(t)) return `Patient/${t}`;
  if (t.startsWith(`${baseUrl}/`)) t = t.slice(baseUrl.length + 1);
  else if (/^[a-z][a-z0-9+.-]*:/i.test(t)) {
    throw fhirError('BAD_REQUEST', `Subject '${text}' is not on this server (${baseUrl}): only its own patients can be asked about`, 'subject');
  }
  const m = /^(Patient|Group)\/([A-Za-z0-9\-.]{1,64})$/.exec(t);
  if (!m) throw fhirError('BAD_REQUEST', `Malformed subject '${text}': expected Patient/{id}`, 'subject');
  return `${m[1]}/${m[2]}`;
}

/** Epoch-ms bounds [lo, hi) of a test date range, and the range as search prefixes (a Period is `ge` its start, `le` its end). */
export interface DateBounds {
  lo: number;
  hi: number;
  prefixed: Array<[DatePrefix, string]>;
}
export type DatePrefix = 'eq' | 'ge' | 'gt' | 'le' | 'lt';

/**
 * `testDateRange`: a Period over POST, or prefixed dates over GET (`ge2019-01-01,lt2020`),
 * https://hl7.org/fhir/R4/search.html#prefix (eq, ge, gt, le, lt).
 */
export function parseDateRange(v: InputValue | undefined, param = 'testDateRange'): DateBounds | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'boolean') throw fhirError('BAD_REQUEST', `${param} must be a Period or prefixed dates`, param);
  let lo = -Infinity;
  let hi = Infinity;
  const prefixed: Array<[DatePrefix, string]> = [];
  if (typeof v === 'object') {
    const p = v as Period;
    // an empty Period says no range (and is no valid FHIR, ele-1): not "every date"
    if (!p.start && !p.end) throw fhirError('BAD_REQUEST', `${param} is a Period with neither start nor end`, param);
    if (p.start) {
      lo = dateSpan(p.start, param)[0];
      prefixed.push(['ge', p.start]);
    }
    if (p.end) {
      hi = dateSpan(p.end, param)[1];
      prefixed.push(['le', p.end]);
    }
  } else {
    for (const part of v.split(',').map((s) => s.trim()).filter(Boolean)) {
      const m = /^(eq|ge|gt|le|lt)?(\d.*)$/.exec(part);
      if (!m) throw fhirError('BAD_REQUEST', `Malformed ${param} '${part}': use eq, ge, gt, le or lt followed by a date`, param);
      const [s, e] = dateSpan(m[2], param);
      const prefix = (m[1] ?? 'eq') as DatePrefix;
      prefixed.push([prefix, m[2]]);
      switch (prefix) {
        case 'eq': lo = Math.max(lo, s); hi = Math.min(hi, e); break;
        case 'ge': lo = Math.max(lo, s); break;
        case 'gt': lo = Math.max(lo, e); break;
        case 'le': hi = Math.min(hi, e); break;
        case 'lt': hi = Math.min(hi, s); break;
      }
    }
  }
  if (lo >= hi) throw fhirError('BAD_REQUEST', `${param} is empty: its start is not before its end`, param);
  return { lo, hi, prefixed };
}

/**
 * [start, end) in epoch ms of a FHIR date/dateTime at its precision: search's parser, so that a
 * day the month does not have (2025-02-30) or a 13th month is refused here as it is there.
 */
function dateSpan(text: string, param: string): [number, number] {
  const r = dateRange(text);
  if (!r) throw fhirError('BAD_REQUEST', `Malformed date '${text}' in ${param}: expected a FHIR date or dateTime such as 2019-03-01 or 2019-03-01T10:00:00Z`, param);
  return [r.s, r.e];
}
