import { createHash } from 'node:crypto';
import { type Build, canonicalChrom, toAccession } from '../assemblies.js';
import { FhirError, fhirError } from '../../fhir/errors.js';
import type { Issue } from '../../fhir/outcome.js';
import { classifyAllele } from './alleles.js';
import { type Annotation, AnnotationError, annotationKey, parseAnnotations } from './annotations.js';
import { BedError, summarizeBed } from './bed.js';
import type { ChangeType } from './codes.js';
import { allelicState, calledAlts, parseGenotype } from './genotype.js';
import { type VcfHeader, addMetaLine, detectBuild, emptyHeader, fileDateToFhir } from './header.js';
import { hashId, variantId, variantKey } from './ids.js';
import type { LineSource } from './line-reader.js';
import { type BedFile, type ReportInput, mapAnalysis, mapBedDocument, mapReport, mapStudy } from './map-report.js';
import { mapImplication, mapVariant } from './map-variant.js';
import { PhaseTracker } from './phase.js';
import { type VcfRecord, VcfLineError, infoValue, numberList, parseRecord, sampleValue } from './record.js';
import { ResultList } from './result-list.js';
import type { ImportSummary, ProducedResource, SkipReason, VcfImportOptions } from './types.js';

/** FHIR id grammar (https://hl7.org/fhir/R4/datatypes.html#id). */
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
export const DEFAULT_MAX_REPORT_RESULTS = 100_000;
/** Malformed lines reported at once when the import is refused. */
const MAX_REPORTED_ERRORS = 20;

/**
 * Turns a VCF line stream into FHIR resources, one record at a time (memory does not grow with the
 * file, except the compact id list for the report). Yields the variant-level resources as they are
 * produced, then the data files, the study and the report. Counters land in `summary`.
 * Throws FhirError (400) for a malformed file unless `allowErrors`; nothing it yielded should then
 * be kept (the caller runs inside one transaction).
 */
export async function* mapVcf(src: LineSource, opts: VcfImportOptions, summary: ImportSummary): AsyncGenerator<ProducedResource> {
  if (!FHIR_ID.test(opts.patient)) throw fhirError('BAD_REQUEST', `patient '${opts.patient}' is not a valid FHIR id`);
  if (opts.specimen !== undefined && !FHIR_ID.test(opts.specimen)) throw fhirError('BAD_REQUEST', `specimen '${opts.specimen}' is not a valid FHIR id`);
  const annotations = loadAnnotations(opts.annotations);
  const studiedText = opts.studiedBed;
  const uncallText = opts.uncallableBed;
  const source = opts.genomicSource ?? 'germline';
  const contentHash = createHash('sha256');

  // Header.
  const header: VcfHeader = emptyHeader();
  const it = src.lines[Symbol.asyncIterator]();
  let lineNo = 0;
  let first: string | undefined;
  for (let n = await it.next(); !n.done; n = await it.next()) {
    lineNo++;
    contentHash.update(n.value).update('\n');
    if (n.value.startsWith('##')) addMetaLine(header, n.value);
    else if (n.value.trim() !== '') {
      first = n.value;
      break;
    }
  }
  if (!first || !first.startsWith('#CHROM')) {
    throw fhirError('BAD_REQUEST', `line ${lineNo}: the #CHROM header line is missing (is this a VCF file?)`);
  }
  header.lineCount = lineNo;
  const cols = first.split('\t');
  header.samples = cols.slice(9);
  const sampleIndex = pickSample(header.samples, opts.sample);
  const sample = header.samples[sampleIndex];
  const build = opts.build ?? detectBuild(header);
  if (!build) throw fhirError('BAD_REQUEST', 'The VCF header does not name its genome build (##reference, ##contig assembly/length); pass build GRCh37 or GRCh38');
  summary.build = build;
  summary.sample = sample;
  const effective = fileDateToFhir(header.fileDate);
  const phase = new PhaseTracker(opts.patient, effective);
  const results = new ResultList(opts.maxReportResults ?? DEFAULT_MAX_REPORT_RESULTS);
  const changeTypes = new Set<ChangeType>();
  const errors: Issue[] = [];
  const skip = (r: SkipReason) => (summary.skipped[r] = (summary.skipped[r] ?? 0) + 1);
  // Ids already produced at the current position (duplicate records in one file).
  let posKey = '';
  const seenAtPos = new Set<string>();

  for (let n = await it.next(); !n.done; n = await it.next()) {
    lineNo++;
    const text = n.value;
    contentHash.update(text).update('\n');
    if (text === '' || text.startsWith('#')) continue;
    summary.records++;
    let rec: VcfRecord;
    const out: ProducedResource[] = [];
    try {
      rec = parseRecord(text, lineNo, header.samples.length, sampleIndex);
      if (errors.length) {
        // Refusing anyway: keep checking genotypes for more errors, produce nothing.
        const gt = sampleValue(rec, 'GT');
        if (gt) parseGenotype(gt, rec.alts.length, lineNo);
        continue;
      }
      processRecord(rec, out);
    } catch (e) {
      if (!(e instanceof VcfLineError)) throw e;
      if (opts.allowErrors) {
        skip('malformed');
        if (summary.errors.length < 100) summary.errors.push({ line: e.line, reason: e.reason });
        continue;
      }
      errors.push({ severity: 'error', code: 'structure', diagnostics: e.message });
      if (errors.length >= MAX_REPORTED_ERRORS) break;
      continue;
    }
    for (const r of out) yield r;
  }
  if (errors.length) {
    throw new FhirError('BAD_REQUEST', `The VCF has malformed lines; nothing was imported (first: ${errors[0].diagnostics})`, { issues: errors });
  }

  // Whole-import resources: ids depend on the content, so another file makes another report.
  const optionKey = [source, opts.includeFiltered ? 'filtered' : '', opts.specimen ?? '', opts.annotations ?? '', studiedText?.text ?? '', uncallText?.text ?? ''];
  const digest = contentHash.digest('hex');
  const importKey = `${opts.patient}|${build}|${sample}|sha256:${digest}`;
  const base = [opts.patient, build, sample, digest, ...optionKey];
  const input: ReportInput = {
    patient: opts.patient, build, sample, source, specimen: opts.specimen, effective, importKey,
    reportId: hashId('vcfrep', base), studyId: hashId('vcfstu', base), analysisId: hashId('vcfana', base),
    changeTypes: [...changeTypes], results: results.ids(), resultTotal: results.total, sourceName: opts.sourceName,
    studied: studiedText && bedFile(opts.patient, 'studied', studiedText),
    uncallable: uncallText && bedFile(opts.patient, 'uncallable', uncallText),
  };
  if (input.studied) yield mapBedDocument(opts.patient, input.studied, 'studied', build);
  if (input.uncallable) yield mapBedDocument(opts.patient, input.uncallable, 'uncallable', build);
  yield mapAnalysis(input);
  yield mapStudy(input);
  yield mapReport(input);
  summary.reportId = input.reportId;
  summary.studyId = input.studyId;

  function processRecord(r: VcfRecord, out: ProducedResource[]): void {
    const ft = sampleValue(r, 'FT');
    const passed = (r.filters.length === 1 && (r.filters[0] === 'PASS' || r.filters[0] === '.')) && (!ft || ft === 'PASS');
    if (!passed && !opts.includeFiltered) return void skip('filtered');
    const gtText = sampleValue(r, 'GT');
    if (gtText === undefined) return void skip(r.format.includes('GT') ? 'no-call' : 'no-genotype');
    const g = parseGenotype(gtText, r.alts.length, r.line);
    const alts = calledAlts(g);
    if (!alts.length) return void skip(g.alleles.every((a) => a === null) ? 'no-call' : 'reference-call');
    const chrom = canonicalChrom(r.chrom);
    const accession = toAccession(build as Build, r.chrom);
    if (!chrom || !accession) return void skip('unsupported-contig');
    const mito = chrom === 'MT';
    const ad = numberList(r, 'AD', sampleValue(r, 'AD'));
    const fAf = numberList(r, 'FORMAT AF', sampleValue(r, 'AF'));
    const iAf = header.samples.length === 1 ? numberList(r, 'INFO AF', infoValue(r, 'AF')) : undefined;
    const dbsnp = r.ids.filter((x) => /^rs\d+$/.test(x));
    if (`${chrom}:${r.pos}` !== posKey) {
      posKey = `${chrom}:${r.pos}`;
      seenAtPos.clear();
    }
    for (const altIdx of alts) {
      const alt = r.alts[altIdx - 1];
      const cls = classifyAllele(r, alt);
      if ('unsupported' in cls) {
        skip(cls.unsupported as SkipReason);
        continue;
      }
      const key = { patient: opts.patient, build: build as Build, sample, chrom, pos: r.pos, ref: r.ref, alt: alt.toUpperCase() };
      const id = variantId(key);
      if (seenAtPos.has(id)) {
        skip('duplicate');
        continue;
      }
      seenAtPos.add(id);
      const adSum = ad ? ad.reduce<number>((s, x) => s + (x ?? 0), 0) : 0;
      const readDepth = ad?.[altIdx];
      const frequency = fAf?.[altIdx - 1] ?? (readDepth !== undefined && adSum > 0 ? readDepth / adSum : iAf?.[altIdx - 1]);
      const annotation: Annotation | undefined = annotations?.get(annotationKey(r.chrom, r.pos, r.ref, alt));
      const variant = mapVariant({
        id, identifierValue: variantKey(key), patient: opts.patient, build: build as Build, accession, call: cls.call, source,
        state: allelicState(g, altIdx, mito), frequency, readDepth, dbsnp, annotation, specimen: opts.specimen, effective,
      });
      changeTypes.add(cls.call.changeType);
      out.push(variant);
      results.add(id);
      summary.variants++;
      if (annotation) {
        const imp = mapImplication(variant, annotation, effective);
        if (imp) {
          out.push(imp);
          results.add(imp.id);
          summary.implications++;
        }
      }
      const copies = g.alleles.filter((a) => a === altIdx).length;
      if (g.phased && copies === 1 && g.alleles.length > 1) {
        const rel = phase.add(chrom, sampleValue(r, 'PS') ?? '*', id, g.alleles.indexOf(altIdx));
        if (rel) {
          out.push(rel);
          results.add(rel.id);
          summary.phaseRelationships++;
        }
      }
    }
  }
}

function pickSample(samples: string[], wanted: string | undefined): number {
  if (wanted !== undefined) {
    const i = samples.indexOf(wanted);
    if (i < 0) throw fhirError('BAD_REQUEST', `Sample '${wanted}' is not in the VCF; samples: ${samples.join(', ') || '(none)'}`);
    return i;
  }
  if (samples.length === 0) throw fhirError('BAD_REQUEST', 'The VCF has no sample column: a genotype (FORMAT GT) is needed to import calls');
  if (samples.length > 1) throw fhirError('BAD_REQUEST', `The VCF has ${samples.length} samples; choose one with sample: ${samples.join(', ')}`);
  return 0;
}

function loadAnnotations(text: string | undefined): Map<string, Annotation> | undefined {
  if (text === undefined) return undefined;
  try {
    return parseAnnotations(text);
  } catch (e) {
    if (e instanceof AnnotationError) throw fhirError('BAD_REQUEST', e.message);
    throw e;
  }
}

function bedFile(patient: string, role: string, f: { name: string; text: string }): BedFile {
  try {
    return { id: hashId('vcfbed', [patient, role, f.text]), name: f.name, text: f.text, summary: summarizeBed(f.text, `${role} BED`) };
  } catch (e) {
    if (e instanceof BedError) throw fhirError('BAD_REQUEST', e.message);
    throw e;
  }
}

export function emptySummary(): ImportSummary {
  return {
    build: 'GRCh38', sample: '', records: 0, variants: 0, phaseRelationships: 0, implications: 0, skipped: {}, errors: [],
    resources: 0, created: 0, updated: 0, unchanged: 0, reportId: '', studyId: '',
  };
}
