import { createHash } from 'node:crypto';
import type { Build } from '../assemblies.js';
import { FhirError, fhirError } from '../../fhir/errors.js';
import type { Issue } from '../../fhir/outcome.js';
import { type Annotation, AnnotationError, parseAnnotations } from './annotations.js';
import { BedError, summarizeBed } from './bed.js';
import type { ChangeType } from './codes.js';
import { type VcfHeader, addMetaLine, buildEvidence, emptyHeader, fileDateToFhir } from './header.js';
import { hashId, sourceSuffix } from './ids.js';
import type { LineSource } from './line-reader.js';
import { type BedFile, type ReportInput, mapAnalysis, mapBedDocument, mapReport, mapStudy } from './map-report.js';
import { PhaseTracker } from './phase.js';
import type { PreparePool } from '../../prepare/pool.js';
import { type LineRecord, type LineResource, lineRecords } from './map-lines.js';
import { VcfLineError } from './record.js';
import { type MappedRecord, type RecordContext, checkRecordLine, mapRecordLine } from './record-mapper.js';
import { ResultList } from './result-list.js';
import type { ImportSummary, ProducedResource, SkipReason, VcfImportOptions } from './types.js';

/** FHIR id grammar (https://hl7.org/fhir/R4/datatypes.html#id). */
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
export const DEFAULT_MAX_REPORT_RESULTS = 100_000;
/** Malformed lines reported at once when the import is refused. */
const MAX_REPORTED_ERRORS = 20;
/** Data lines sent to the prepare pool at once, and how many such windows may be in flight. */
const LINE_WINDOW = 1000;
const WINDOWS_AHEAD = 2;

interface SequenceRecord<T> {
  skips: SkipReason[];
  posKey?: string;
  calls: Array<{ variant: T; implication?: T; changeType: ChangeType; extent?: string; phase?: { chrom: string; set: string; hap: number } }>;
}

/** The option (`patient`, `specimen`) that the produced references could not name, if any; the CLI asks before it opens the store. */
export function badIdOption(opts: Pick<VcfImportOptions, 'patient' | 'specimen'>): 'patient' | 'specimen' | undefined {
  if (!FHIR_ID.test(opts.patient)) return 'patient';
  if (opts.specimen !== undefined && !FHIR_ID.test(opts.specimen)) return 'specimen';
  return undefined;
}

/**
 * Turns a VCF line stream into FHIR resources, one record at a time (memory does not grow with the
 * file, except the compact id list for the report). Yields the variant-level resources as they are
 * produced, then the data files, the study and the report. Counters land in `summary`.
 * Throws FhirError (400) for a malformed file unless `allowErrors`; nothing it yielded should then
 * be kept (the caller runs inside one transaction). `check`: only the checks (every data line is
 * checked as mapping would, none is mapped; what is yielded is the whole-import resources).
 * With `pool`, data lines are mapped on the prepare pool (map-lines.ts) and their resources come
 * out already prepared (LineResource); the other resources are yielded as objects, to be prepared.
 */
export function mapVcf(src: LineSource, opts: VcfImportOptions, summary: ImportSummary, mode?: 'map' | 'check'): AsyncGenerator<ProducedResource>;
export function mapVcf(src: LineSource, opts: VcfImportOptions, summary: ImportSummary, mode: 'map', pool: PreparePool): AsyncGenerator<ProducedResource | LineResource>;
export async function* mapVcf(src: LineSource, opts: VcfImportOptions, summary: ImportSummary, mode: 'map' | 'check' = 'map', pool?: PreparePool): AsyncGenerator<ProducedResource | LineResource> {
  const bad = badIdOption(opts);
  if (bad) throw fhirError('BAD_REQUEST', `${bad} '${opts[bad]}' is not a valid FHIR id`, bad);
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
  let blankLines = 0;
  for (let n = await it.next(); !n.done; n = await it.next()) {
    lineNo++;
    contentHash.update(n.value).update('\n');
    if (n.value.startsWith('##')) addMetaLine(header, n.value);
    else if (n.value.trim() === '') blankLines++;
    else {
      first = n.value;
      break;
    }
  }
  // "line 0: #CHROM is missing" would send the sender looking for a line that is not there.
  if (!first && lineNo === blankLines) throw fhirError('BAD_REQUEST', 'The VCF is empty (no header, no data lines)');
  if (!first || !first.startsWith('#CHROM')) {
    throw fhirError('BAD_REQUEST', `line ${lineNo}: the #CHROM header line is missing (is this a VCF file?)`);
  }
  header.lineCount = lineNo;
  // Trailing white space (an editor's, or a tab after the last name) is not part of the last sample name.
  const cols = first.replace(/\s+$/, '').split('\t');
  header.samples = cols.slice(9);
  // The decoder turns bytes that are not UTF-8 (a Latin-1 'S\xe91') into U+FFFD: a name no one could pass as `sample`.
  const garbled = header.samples.findIndex((name) => name.includes('\uFFFD'));
  if (garbled >= 0) throw fhirError('BAD_REQUEST', `line ${lineNo}: the sample name in column ${garbled + 10} is not valid UTF-8 (save the file as UTF-8)`);
  // Sample names must be unique (VCF 4.3 section 1.5): with a repeat, `sample` could not say which column is meant.
  const repeated = header.samples.findIndex((name, i) => header.samples.indexOf(name) !== i);
  if (repeated >= 0) {
    const name = header.samples[repeated];
    throw fhirError('BAD_REQUEST', `line ${lineNo}: sample '${name}' is named twice in the #CHROM line (columns ${header.samples.indexOf(name) + 10} and ${repeated + 10})`);
  }
  const sampleIndex = pickSample(header.samples, opts.sample);
  const sample = header.samples[sampleIndex];
  // Coordinates read on the wrong assembly are wrong data that look right: a header that names two
  // builds, or a build option the header contradicts, is refused rather than guessed.
  const evidence = buildEvidence(header);
  const other = evidence.find((e) => e.build !== (opts.build ?? evidence[0]!.build));
  if (other) {
    const first = opts.build ? `the build option says ${opts.build}` : `${evidence[0]!.why} says ${evidence[0]!.build}`;
    throw fhirError('BAD_REQUEST', `The genome build is contradicted: ${first}, ${other.why} says ${other.build}`);
  }
  const build = opts.build ?? evidence[0]?.build;
  if (!build) throw fhirError('BAD_REQUEST', "The VCF header does not name its genome build (##reference, ##contig assembly/length); pass build GRCh37 or GRCh38 (the CLI's --build)");
  summary.build = build;
  summary.sample = sample;
  const effective = fileDateToFhir(header.fileDate);
  const phase = new PhaseTracker(opts.patient, effective);
  const results = new ResultList(opts.maxReportResults ?? DEFAULT_MAX_REPORT_RESULTS);
  const changeTypes = new Set<ChangeType>();
  const errors: Issue[] = [];
  const skip = (r: SkipReason) => (summary.skipped[r] = (summary.skipped[r] ?? 0) + 1);
  // Ids already produced at the current position (duplicate records in one file), with the extent
  // of a structural call ('' for a sequence call): see `sequence`.
  let posKey = '';
  const seenAtPos = new Map<string, string>();
  // A sorted file (VCF 4.3 section 1.6.1: POS ascending within contiguous CHROM blocks) repeats a call
  // only at its position, which is all seenAtPos remembers. From the first record out of that order,
  // every id produced is remembered (seeded with the result list), so a call met again elsewhere is a
  // duplicate too, not a second count and a second entry in the report. Sorted files pay nothing.
  let lastChrom = '';
  let lastPos = 0;
  const chromsSeen = new Set<string>();
  let seenAnywhere: Map<string, string> | undefined;
  // What the seed needs beyond the result list: the extent of every structural call produced (few
  // per file: a call set of SVs is thousands), so a second deletion at a site met after the file is
  // found out of order is still told from the first; and the Variant ids the report's list no longer
  // keeps once full (--max-report-results), so a call repeated past it is not counted twice.
  const structuralExtents = new Map<string, string>();
  const pastReport = new ResultList();
  const outOfOrder = () => {
    if (seenAnywhere) return;
    seenAnywhere = new Map();
    for (const list of [results, pastReport]) for (const id of list.ids()) seenAnywhere.set(id, structuralExtents.get(id) ?? '');
  };
  /** The extent an id was produced with ('' a sequence call), undefined when it was not. */
  const seenExtent = (id: string): string | undefined => seenAtPos.get(id) ?? seenAnywhere?.get(id);

  const ctx: RecordContext = {
    patient: opts.patient, build: build as Build, sample, sampleCount: header.samples.length, sampleIndex,
    contigLengths: new Map([...header.contigs].map(([id, c]) => [id, c.length])),
    adNumber: header.format.get('AD')?.number ?? 'R', afNumber: header.format.get('AF')?.number ?? 'A', source,
    includeFiltered: opts.includeFiltered === true, specimen: opts.specimen, effective, annotations,
  };
  if (pool && mode === 'map') {
    // Lines go to the pool in windows, a few ahead, and come back in order with what each maps to.
    let texts: string[] = [];
    let nos: number[] = [];
    // Lines that may hold a structural call (a symbolic ALT has '<') stay here while their window is
    // in flight, by their index in it: one may have to be mapped again keyed by its extent (`sequence`).
    type Window = { lines: LineRecord[]; symbolic: Map<number, [string, number]> };
    const inFlight: Array<Promise<Window>> = [];
    const send = () => {
      const symbolic = new Map<number, [string, number]>();
      for (let i = 0; i < texts.length; i++) if (texts[i].includes('<')) symbolic.set(i, [texts[i], nos[i]]);
      const p = pool.mapVcfLines(ctx, texts, nos).then((parts): Window => ({ lines: parts.flatMap(lineRecords), symbolic }));
      p.catch(() => {}); // awaited below, unless the import stops first
      inFlight.push(p);
      texts = [];
      nos = [];
    };
    let stopped = false;
    for (let n = await it.next(); !n.done; n = await it.next()) {
      lineNo++;
      const text = n.value;
      contentHash.update(text).update('\n');
      if (text === '' || text.startsWith('#')) continue;
      texts.push(text);
      nos.push(lineNo);
      if (texts.length < LINE_WINDOW) continue;
      send();
      if (inFlight.length > WINDOWS_AHEAD && !(yield* take(await inFlight.shift()!))) {
        stopped = true;
        break;
      }
    }
    if (texts.length) send();
    while (!stopped && inFlight.length) stopped = !(yield* take(await inFlight.shift()!));
  } else {
    for (let n = await it.next(); !n.done; n = await it.next()) {
      lineNo++;
      const text = n.value;
      contentHash.update(text).update('\n');
      if (text === '' || text.startsWith('#')) continue;
      summary.records++;
      let mapped: MappedRecord;
      try {
        if (errors.length || mode === 'check') {
          // Refusing anyway (or only checking): keep checking lines for more errors, produce nothing.
          checkRecordLine(ctx, text, lineNo);
          continue;
        }
        mapped = mapRecordLine(ctx, text, lineNo);
      } catch (e) {
        if (!(e instanceof VcfLineError)) throw e;
        if (lineError(e)) break;
        continue;
      }
      yield* sequence(mapped, () => mapRecordLine(ctx, text, lineNo, true));
    }
  }
  if (errors.length) {
    throw new FhirError('BAD_REQUEST', `The VCF has malformed lines; nothing was imported (first: ${errors[0].diagnostics})`, { issues: errors });
  }

  // Whole-import resources: ids depend on the content, so another file makes another report.
  const optionKey = [source, opts.includeFiltered ? 'filtered' : '', opts.specimen ?? '', opts.annotations ?? '', studiedText?.text ?? '', uncallText?.text ?? ''];
  const digest = contentHash.digest('hex');
  // The report's identifier names its import: the file, and the options beyond the source class
  // (BED files, annotations, specimen, filtered calls) when any is given, so two reports of one file
  // made with other options are two identifiers (a plain import's key is what it always was).
  const extra = optionKey.slice(1);
  const optionSuffix = extra.some((x) => x !== '') ? `|options:${hashId('o', extra).slice(2, 14)}` : '';
  const importKey = `${opts.patient}|${build}|${sample}|sha256:${digest}${sourceSuffix(source)}${optionSuffix}`;
  const base = [opts.patient, build, sample, digest, ...optionKey];
  const input: ReportInput = {
    patient: opts.patient, build, sample, source, specimen: opts.specimen, effective, importKey,
    reportId: hashId('vcfrep', base), studyId: hashId('vcfstu', base), analysisId: hashId('vcfana', base),
    changeTypes: [...changeTypes], results: results.ids(), resultTotal: results.total, sourceName: opts.sourceName,
    studied: studiedText && bedFile(opts.patient, 'studied', studiedText, build),
    uncallable: uncallText && bedFile(opts.patient, 'uncallable', uncallText, build),
  };
  if (input.studied) yield mapBedDocument(opts.patient, input.studied, 'studied', build);
  if (input.uncallable) yield mapBedDocument(opts.patient, input.uncallable, 'uncallable', build);
  yield mapAnalysis(input);
  yield mapStudy(input);
  yield mapReport(input);
  summary.reportId = input.reportId;
  summary.studyId = input.studyId;

  /** Counts a malformed line (skipped, or one more reason to refuse); true when enough are collected to refuse. */
  function lineError(e: VcfLineError): boolean {
    if (opts.allowErrors) {
      skip('malformed');
      if (summary.errors.length < 100) summary.errors.push({ line: e.line, reason: e.reason });
      return false;
    }
    errors.push({ severity: 'error', code: 'structure', diagnostics: e.message });
    return errors.length >= MAX_REPORTED_ERRORS;
  }

  /** Lines mapped on the pool, as the loop above takes them one by one; false to stop reading. */
  function* take({ lines, symbolic }: { lines: LineRecord[]; symbolic: Map<number, [string, number]> }): Generator<ProducedResource | LineResource, boolean> {
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i];
      summary.records++;
      if (l.error) {
        if (lineError(l.error)) return false;
        continue;
      }
      // Refusing anyway: the remaining lines only count for their errors.
      const line = symbolic.get(i);
      if (!errors.length) yield* sequence(l, line && (() => mapRecordLine(ctx, line[0], line[1], true)));
    }
    return true;
  }

  /**
   * What spans records: duplicates at one position, phase sets, the result list, counters.
   * A call is a duplicate when its id was produced at its position already, except a structural
   * call whose id was produced with another extent (two `<DEL>` at one POS with another END or
   * SVLEN are two deletions): `extentKeyed` maps its record again with the extent in its key. The
   * first call at a site keeps the plain key, so a file with one structural call per site keeps the
   * ids it always had; one of an extent already seen (plain or extent-keyed) is a duplicate.
   */
  function* sequence<T extends { id: string }>(m: SequenceRecord<T>, extentKeyed?: () => SequenceRecord<ProducedResource>): Generator<T | ProducedResource> {
    for (const r of m.skips) skip(r);
    if (m.posKey !== undefined && m.posKey !== posKey) {
      posKey = m.posKey;
      seenAtPos.clear();
      const colon = posKey.lastIndexOf(':');
      const chrom = posKey.slice(0, colon);
      const pos = Number(posKey.slice(colon + 1));
      if (chrom !== lastChrom) {
        if (chromsSeen.has(chrom)) outOfOrder();
        chromsSeen.add(chrom);
        lastChrom = chrom;
      } else if (pos < lastPos) outOfOrder();
      lastPos = pos;
    }
    let again: SequenceRecord<ProducedResource> | undefined;
    for (let k = 0; k < m.calls.length; k++) {
      let c: SequenceRecord<T | ProducedResource>['calls'][number] = m.calls[k];
      let id = c.variant.id;
      let seen = seenExtent(id);
      if (typeof seen === 'string' && c.extent !== undefined && seen !== c.extent) {
        if (!extentKeyed) throw new Error(`a structural call (${id}) without its line to key it by its extent`);
        again ??= extentKeyed();
        if (again.calls.length !== m.calls.length) throw new Error(`the line of ${id} maps to other calls keyed by extent`);
        c = again.calls[k];
        id = c.variant.id;
        seen = seenExtent(id);
      }
      if (seen !== undefined) {
        skip('duplicate');
        continue;
      }
      seenAtPos.set(id, c.extent ?? '');
      seenAnywhere?.set(id, c.extent ?? '');
      if (c.extent !== undefined) structuralExtents.set(id, c.extent);
      changeTypes.add(c.changeType);
      yield c.variant;
      results.add(id);
      // (the list drops every id once full: then size < total)
      if (!seenAnywhere && results.size < results.total) pastReport.add(id);
      summary.variants++;
      if (c.implication) {
        yield c.implication;
        results.add(c.implication.id);
        summary.implications++;
      }
      if (c.phase) {
        const rel = phase.add(c.phase.chrom, c.phase.set, id, c.phase.hap);
        if (rel) {
          yield rel;
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
    if (i < 0) throw fhirError('BAD_REQUEST', `Sample '${wanted}' is not in the VCF; samples: ${samples.join(', ') || '(none)'}`, 'sample');
    return i;
  }
  if (samples.length === 0) throw fhirError('BAD_REQUEST', 'The VCF has no sample column: a genotype (FORMAT GT) is needed to import calls');
  if (samples.length > 1) throw fhirError('BAD_REQUEST', `The VCF has ${samples.length} samples; choose one with sample: ${samples.join(', ')}`, 'sample');
  return 0;
}

function loadAnnotations(text: string | undefined): Map<string, Annotation> | undefined {
  if (text === undefined) return undefined;
  try {
    return parseAnnotations(text);
  } catch (e) {
    if (e instanceof AnnotationError) throw fhirError('BAD_REQUEST', e.message, 'annotations');
    throw e;
  }
}

function bedFile(patient: string, role: string, f: { name: string; text: string }, build: Build): BedFile {
  try {
    return { id: hashId('vcfbed', [patient, role, f.text]), name: f.name, text: f.text, summary: summarizeBed(f.text, `${role} BED`, build) };
  } catch (e) {
    if (e instanceof BedError) throw fhirError('BAD_REQUEST', e.message, role); // (role: the input, studied or uncallable)
    throw e;
  }
}

export function emptySummary(): ImportSummary {
  return {
    build: 'GRCh38', sample: '', records: 0, variants: 0, phaseRelationships: 0, implications: 0, skipped: {}, errors: [],
    resources: 0, created: 0, updated: 0, unchanged: 0, reportId: '', studyId: '',
  };
}
