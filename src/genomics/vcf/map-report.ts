import type { DiagnosticReport, DocumentReference, Extension, Observation, Procedure, Reference } from '@medplum/fhirtypes';
import { BUILD_LOINC, type Build } from '../assemblies.js';
import type { BedSummary } from './bed.js';
import { EXT, type ChangeType, type GenomicSource, LC, PROFILE, SO, SOURCE_CLASS, SYS, cc, loinc } from './codes.js';

/**
 * The resources that describe the import as a whole, written after the variants:
 * - GenomicStudy (Procedure, genomic-study profile) pointing at its analysis;
 * - GenomicStudyAnalysis (Procedure, genomic-study-analysis profile) with the build, source class,
 *   change types and the `regions` extension, whose `studied` / `uncalled` parts reference the BED
 *   files as genomic-data-file DocumentReferences (IG 3.0.0 models regions this way:
 *   https://hl7.org/fhir/uv/genomics-reporting/STU3/StructureDefinition-genomic-study-analysis-regions.html);
 * - GenomicReport (DiagnosticReport) with every produced Observation in `result`.
 */
export interface ReportInput {
  patient: string;
  build: Build;
  sample: string;
  source: GenomicSource;
  specimen?: string;
  effective?: string;
  /** Identifier value shared by the report and the study (patient|build|sample|content hash). */
  importKey: string;
  reportId: string;
  studyId: string;
  analysisId: string;
  changeTypes: ChangeType[];
  studied?: BedFile;
  uncallable?: BedFile;
  results: Iterable<string>;
  /** Observations produced; more than listed in `results` when the report was capped. */
  resultTotal: number;
  sourceName?: string;
}
export interface BedFile {
  id: string;
  name: string;
  text: string;
  summary: BedSummary;
}

type WithId<T> = T & { id: string };

export function mapBedDocument(patient: string, f: BedFile, role: 'studied' | 'uncallable', build: Build): WithId<DocumentReference> {
  const what = role === 'studied' ? 'Regions studied' : 'Regions deemed uncallable';
  return {
    resourceType: 'DocumentReference',
    id: f.id,
    meta: { profile: [PROFILE.genomicDataFile] },
    status: 'current',
    subject: { reference: `Patient/${patient}` },
    description: `${what} (${build}, BED, 0-based half-open): ${f.summary.regions} regions, ${f.summary.bases} bases on ${f.summary.chromosomes.length} chromosomes`,
    content: [{ attachment: { contentType: 'text/plain', title: f.name, data: Buffer.from(f.text, 'utf8').toString('base64') } }],
  };
}

export function mapAnalysis(r: ReportInput): WithId<Procedure> {
  const ext: Extension[] = [
    { url: EXT.genomeBuild, valueCodeableConcept: loinc(BUILD_LOINC[r.build].code, BUILD_LOINC[r.build].display) },
    { url: EXT.genomicSourceClass, valueCodeableConcept: loinc(SOURCE_CLASS[r.source].code, SOURCE_CLASS[r.source].display) },
    { url: EXT.title, valueString: `VCF import of sample ${r.sample}${r.sourceName ? ` from ${r.sourceName}` : ''}` },
  ];
  for (const t of r.changeTypes) ext.push({ url: EXT.changeType, valueCodeableConcept: cc(SYS.so, SO[t].code, SO[t].display) });
  if (r.specimen) ext.push({ url: EXT.specimen, valueReference: { reference: `Specimen/${r.specimen}` } });
  if (r.studied || r.uncallable) {
    const parts: Extension[] = [];
    const desc = [r.studied && `studied: ${r.studied.summary.regions} regions`, r.uncallable && `uncallable: ${r.uncallable.summary.regions} regions`].filter(Boolean).join('; ');
    parts.push({ url: 'description', valueString: desc });
    if (r.studied) parts.push({ url: 'studied', valueReference: { reference: `DocumentReference/${r.studied.id}` } });
    if (r.uncallable) parts.push({ url: 'uncalled', valueReference: { reference: `DocumentReference/${r.uncallable.id}` } });
    ext.push({ url: EXT.regions, extension: parts });
  }
  return {
    resourceType: 'Procedure',
    id: r.analysisId,
    meta: { profile: [PROFILE.genomicStudyAnalysis] },
    extension: ext,
    identifier: [{ system: SYS.vcfImportId, value: `${r.importKey}|analysis` }],
    status: 'completed',
    category: cc(SYS.obsCategory, 'laboratory'),
    subject: { reference: `Patient/${r.patient}` },
    ...(r.effective ? { performedDateTime: r.effective } : {}),
  };
}

export function mapStudy(r: ReportInput): WithId<Procedure> {
  return {
    resourceType: 'Procedure',
    id: r.studyId,
    meta: { profile: [PROFILE.genomicStudy] },
    extension: [{ url: EXT.studyAnalysis, valueReference: { reference: `Procedure/${r.analysisId}` } }],
    identifier: [{ system: SYS.vcfImportId, value: `${r.importKey}|study` }],
    status: 'completed',
    category: cc(SYS.obsCategory, 'laboratory'),
    code: { text: 'Genomic variant calling (imported from VCF)' },
    subject: { reference: `Patient/${r.patient}` },
    ...(r.effective ? { performedDateTime: r.effective } : {}),
  };
}

export function mapReport(r: ReportInput): WithId<DiagnosticReport> {
  const result: Array<Reference<Observation>> = [];
  for (const id of r.results) result.push({ reference: `Observation/${id}` });
  return {
    resourceType: 'DiagnosticReport',
    id: r.reportId,
    meta: { profile: [PROFILE.genomicReport] },
    extension: [{ url: EXT.studyReference, valueReference: { reference: `Procedure/${r.studyId}` } }],
    identifier: [{ system: SYS.vcfImportId, value: r.importKey }],
    status: 'final',
    category: [cc('http://terminology.hl7.org/CodeSystem/v2-0074', 'GE', 'Genetics')],
    code: loinc(LC.genomicReport, 'Genetic analysis report'),
    subject: { reference: `Patient/${r.patient}` },
    ...(r.effective ? { effectiveDateTime: r.effective } : {}),
    ...(r.specimen ? { specimen: [{ reference: `Specimen/${r.specimen}` }] } : {}),
    ...(result.length ? { result } : {}),
    ...(r.resultTotal > result.length
      ? { conclusion: `Imported from VCF: ${r.resultTotal} Observations; result lists the first ${result.length}. Search Observation?subject=Patient/${r.patient} for all.` }
      : {}),
  };
}
