import { Readable } from 'node:stream';
import type { Parameters, ParametersParameter } from '@medplum/fhirtypes';
import type { FhirContext, FhirRequest, FhirResponse, OperationHandler } from '../context.js';
import { FhirError, fhirError } from '../errors.js';
import type { Issue } from '../outcome.js';
import { GENERAL_PARAMETERS, mediaType } from '../rest/request-utils.js';
import { checkContentEncoding } from '../rest/media-type.js';
import { CORE_OPERATION_DEFINITIONS } from './core-definitions.js';
import { parseBuild } from '../../genomics/assemblies.js';
import { importVcf } from '../../genomics/vcf/import.js';
import { importVcfBatched } from '../../genomics/vcf/import-batched.js';
import type { ImportSummary, VcfImportOptions } from '../../genomics/vcf/types.js';
import { throwIfNotForm } from './input-checks.js';

/**
 * `POST /fhir/$import-vcf` — a server-specific operation (not one of the IG's): imports a VCF as
 * Genomics Reporting IG resources in one transaction and answers a Parameters summary.
 * Two ways to call it:
 * 1. the VCF itself as the body (`text/plain`, `text/x-vcf`, `text/vcf`, or
 *    `application/octet-stream` / `application/gzip` for bgzip), options in the query string:
 *    `?patient=p1&build=GRCh38&sample=S1&specimen=sp1&genomic-source=somatic&include-filtered=true&allow-errors=true&max-report-results=100000`;
 * 2. a Parameters resource (`application/fhir+json`) with `vcf` (valueString, or valueAttachment
 *    with base64 `data`, gzip allowed), `patient`, `build`, `sample`, `specimen`, `genomic-source`,
 *    `include-filtered`, `allow-errors`, `max-report-results`, and the side files `studied`, `uncallable` (BED) and
 *    `annotations` (TSV) as valueString or valueAttachment.
 * `batch-size` N (either way) imports in transactions of N resources, as the CLI's --batch-size
 * (import-batched.ts): for call sets too large for one transaction, MongoDB's 60 s above all.
 */
export const importVcfOperation: OperationHandler = {
  name: 'import-vcf',
  levels: ['system'],
  affectsState: true,
  async handle(req: FhirRequest, ctx: FhirContext): Promise<FhirResponse> {
    const { vcf, opts, batchSize } = readRequest(req);
    // the audit trail's patient: the URL names it only when the inputs come in the query string
    req.audit?.touched.push({ resourceType: 'Patient', id: opts.patient });
    const open = () => Readable.from([vcf]);
    if (!batchSize) return { status: 200, body: toParameters(await importVcf(ctx.store, open, opts)) };
    let stored = 0;
    try {
      return { status: 200, body: toParameters(await importVcfBatched(ctx.store, open, opts, batchSize, { onBatchStored: (n) => { stored += n; } })) };
    } catch (e) {
      if (!stored) throw e;
      // the batches before the failure stay: the answer must not read as "nothing stored"
      const note: Issue = { severity: 'information', code: 'informational', diagnostics: `${stored} resources of the batches before the failure were stored and stay; sending the same import again completes it, without duplicates` };
      if (e instanceof FhirError) {
        e.issues.push(note);
        throw e;
      }
      // An unexpected failure (the disk, the database) is a 500 that shows none of its message
      // (error-handler.ts), as any other; the count is the server's own and the client needs it.
      const internal = new FhirError('INTERNAL', 'Internal server error');
      internal.issues.push(note);
      internal.cause = e; // what the error handler logs
      throw internal;
    }
  },
};

/**
 * Every input takes one value (`vcf` and `patient` 1..1, the rest 0..1): taking the first of two
 * would import for one patient, or one file, without a word about the other.
 */
// The inputs are the OperationDefinition's (one list: what Swagger and the CapabilityStatement show is what is read)
const INPUTS: ReadonlySet<string> = new Set(CORE_OPERATION_DEFINITIONS['import-vcf']!.parameter!.filter((p) => p.use === 'in').map((p) => p.name!));
const ALIASES: Record<string, string> = { genomicSource: 'genomic-source' };

function refuseRepeats(names: string[]): void {
  const counts = new Map<string, number>();
  for (const n of names) {
    const name = ALIASES[n] ?? n;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  for (const [name, n] of counts) {
    if (n > 1 && INPUTS.has(name)) throw fhirError('BAD_REQUEST', `Parameter '${name}' may be given only once (given ${n} times)`, name);
  }
}

const VCF_MEDIA = new Set(['text/plain', 'text/x-vcf', 'text/vcf', 'application/octet-stream', 'application/gzip', 'application/x-gzip', 'application/x-bgzip']);

/** An input the operation does not have (a typo: `specimin`) would be ignored without a word. */
function refuseUnknown(names: string[]): void {
  const unknown = names.find((n) => !INPUTS.has(ALIASES[n] ?? n) && !GENERAL_PARAMETERS.has(n));
  if (unknown !== undefined) throw fhirError('BAD_REQUEST', `$import-vcf has no input '${unknown}' (inputs: ${[...INPUTS].join(', ')})`, unknown);
}

function readRequest(req: FhirRequest): { vcf: Buffer; opts: VcfImportOptions; batchSize?: number } {
  const body = req.body;
  if (isParameters(body)) {
    refuseRepeats((body.parameter ?? []).map((x) => x.name ?? ''));
    refuseUnknown((body.parameter ?? []).map((x) => x.name ?? ''));
    // every input is a simple value (the VCF, BEDs and annotations as valueString or valueAttachment)
    for (const x of body.parameter ?? []) throwIfNotForm('import-vcf', x, 'value');
    // Inputs come from the body here: one also in the query string would be silently dropped.
    const inQuery = Object.keys(req.query).map((n) => ALIASES[n] ?? n).filter((n) => INPUTS.has(n));
    if (inQuery.length) throw fhirError('BAD_REQUEST', `With a Parameters body, give every input in the body: '${inQuery[0]}' is in the query string`, inQuery[0]);
    const p = (name: string) => body.parameter?.find((x) => x.name === name);
    const vcfParam = p('vcf');
    if (!vcfParam) throw fhirError('BAD_REQUEST', "Parameters has no 'vcf' parameter", 'Parameters.parameter');
    const text = (name: string) => {
      const x = p(name);
      return x ? { name, text: paramBytes(x).toString('utf8') } : undefined;
    };
    const opts = buildOptions((name) => scalar(p(name)));
    opts.studiedBed = text('studied');
    opts.uncallableBed = text('uncallable');
    opts.annotations = text('annotations')?.text;
    return { vcf: paramBytes(vcfParam), opts, batchSize: batchSizeOf(scalar(p('batch-size'))) };
  }
  // The VCF's own media types, or bytes (bgzip); another declared type (XML, an image, a form) is
  // not a VCF sent by mistake to be read anyway.
  // (no body at all, whatever Content-Type came with it: nothing was sent, which no media type changes)
  if (body === undefined || body === null) throw fhirError('BAD_REQUEST', 'The request body (the VCF) is empty');
  const mt = mediaType(req);
  if (mt && !VCF_MEDIA.has(mt)) throw fhirError('UNSUPPORTED_MEDIA_TYPE', `Content-Type ${mt} is not a VCF: send text/plain, text/x-vcf, text/vcf, application/octet-stream, application/gzip or a Parameters resource`);
  // gzip is not decoded here: the VCF reader recognises gzip and BGZF by their magic number
  checkContentEncoding(req.headers['content-encoding'], ['gzip', 'x-gzip']);
  let vcf: Buffer;
  if (Buffer.isBuffer(body)) vcf = body;
  else if (typeof body === 'string') vcf = Buffer.from(body, 'utf8');
  else throw fhirError('UNSUPPORTED_MEDIA_TYPE', 'Send the VCF as text/plain, text/x-vcf or application/octet-stream (gzip), or a Parameters resource');
  if (!vcf.length) throw fhirError('BAD_REQUEST', 'The request body (the VCF) is empty');
  refuseRepeats(Object.entries(req.query).flatMap(([name, values]) => values.map(() => name)));
  refuseUnknown(Object.keys(req.query));
  return { vcf, opts: buildOptions((name) => req.query[name]?.[0]), batchSize: batchSizeOf(req.query['batch-size']?.[0]) };
}

function batchSizeOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || !/^\d+$/.test(text)) throw fhirError('BAD_REQUEST', `batch-size must be a positive integer, got '${text}'`, 'batch-size');
  return n;
}

function buildOptions(get: (name: string) => string | undefined): VcfImportOptions {
  const patient = get('patient')?.replace(/^Patient\//, '');
  if (!patient) throw fhirError('BAD_REQUEST', "The 'patient' parameter (a Patient id) is required", 'patient');
  const buildText = get('build');
  const build = buildText === undefined ? undefined : parseBuild(buildText);
  if (buildText !== undefined && !build) throw fhirError('BAD_REQUEST', `build must be GRCh37 or GRCh38, got '${buildText}'`, 'build');
  // (the issue names the input as it was given: the alias too)
  const sourceName = get('genomic-source') !== undefined ? 'genomic-source' : 'genomicSource';
  const source = get(sourceName);
  if (source !== undefined && source !== 'germline' && source !== 'somatic') throw fhirError('BAD_REQUEST', `genomic-source must be germline or somatic, got '${source}'`, sourceName);
  const bool = (name: string) => {
    const v = get(name);
    if (v === undefined) return undefined;
    if (v !== 'true' && v !== 'false') throw fhirError('BAD_REQUEST', `${name} must be true or false, got '${v}'`, name);
    return v === 'true';
  };
  const maxText = get('max-report-results');
  const maxReportResults = maxText === undefined ? undefined : Number(maxText);
  if (maxReportResults !== undefined && !(Number.isInteger(maxReportResults) && maxReportResults >= 0)) throw fhirError('BAD_REQUEST', 'max-report-results must be a non-negative integer', 'max-report-results');
  return {
    patient, build, sample: get('sample'), maxReportResults, specimen: get('specimen')?.replace(/^Specimen\//, ''), genomicSource: source,
    includeFiltered: bool('include-filtered'), allowErrors: bool('allow-errors'),
  };
}

function isParameters(b: unknown): b is Parameters {
  return typeof b === 'object' && b !== null && !Buffer.isBuffer(b) && (b as { resourceType?: unknown }).resourceType === 'Parameters';
}

/**
 * An option's value as text, whatever FHIR type it is sent in: the definition's own (`code`,
 * `boolean`, `integer` for max-report-results) or a string. A value in none of these types (a
 * valueDecimal, a valueAttachment) answers 400: ignored, the import would run without the option.
 */
function scalar(p: ParametersParameter | undefined): string | undefined {
  if (!p) return undefined;
  const n = p.valueInteger ?? p.valueUnsignedInt ?? p.valuePositiveInt;
  const b = p.valueBoolean;
  const v = p.valueString ?? p.valueCode ?? p.valueId ?? p.valueReference?.reference ?? (b === undefined ? undefined : String(b)) ?? (n === undefined ? undefined : String(n));
  if (v === undefined) throw fhirError('BAD_REQUEST', `Parameter '${p.name}' needs a valueString (or its declared type: valueCode, valueBoolean, valueInteger)`, p.name);
  return v;
}

function paramBytes(p: ParametersParameter): Buffer {
  if (p.valueString !== undefined) return Buffer.from(p.valueString, 'utf8');
  if (p.valueAttachment?.data !== undefined) return decodeBase64(p.name ?? '', p.valueAttachment.data);
  throw fhirError('BAD_REQUEST', `Parameter '${p.name}' needs valueString or valueAttachment.data (base64)`, p.name);
}

/**
 * base64Binary (https://hl7.org/fhir/R4/datatypes.html#base64Binary): Node's decoder skips any
 * character outside the alphabet, so damaged base64 would reach the VCF parser as garbage and be
 * reported as a missing #CHROM line.
 */
function decodeBase64(name: string, data: string): Buffer {
  const compact = data.replace(/\s+/g, '');
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) {
    throw fhirError('BAD_REQUEST', `Parameter '${name}': valueAttachment.data is not valid base64`, name);
  }
  return Buffer.from(compact, 'base64');
}

function toParameters(s: ImportSummary): Parameters {
  const parameter: ParametersParameter[] = [
    { name: 'report', valueReference: { reference: `DiagnosticReport/${s.reportId}` } },
    { name: 'study', valueReference: { reference: `Procedure/${s.studyId}` } },
    { name: 'build', valueCode: s.build },
    { name: 'sample', valueString: s.sample },
    { name: 'records', valueInteger: s.records },
    { name: 'variants', valueInteger: s.variants },
    { name: 'phase-relationships', valueInteger: s.phaseRelationships },
    { name: 'implications', valueInteger: s.implications },
    { name: 'created', valueInteger: s.created },
    { name: 'updated', valueInteger: s.updated },
    { name: 'unchanged', valueInteger: s.unchanged },
  ];
  for (const [reason, count] of Object.entries(s.skipped)) {
    parameter.push({ name: 'skipped', part: [{ name: 'reason', valueCode: reason }, { name: 'count', valueInteger: count }] });
  }
  for (const e of s.errors) parameter.push({ name: 'error', valueString: `line ${e.line}: ${e.reason}` });
  return { resourceType: 'Parameters', parameter };
}
