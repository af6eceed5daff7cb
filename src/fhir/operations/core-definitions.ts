import type { OperationDefinition } from '@medplum/fhirtypes';

/**
 * OperationDefinitions of the non-genomics operations the server implements, in the shape the
 * FHIR spec publishes them (https://hl7.org/fhir/R4/resource-operation-validate.html,
 * https://hl7.org/fhir/R4/patient-operation-everything.html) plus the server's own $import-vcf.
 * They drive the OpenAPI parameters of those operations as the IG's definitions drive theirs.
 */
const def = (id: string, code: string, url: string, description: string, parameter: OperationDefinition['parameter'], base?: string): OperationDefinition => ({
  resourceType: 'OperationDefinition', id, url, name: code, status: 'active', kind: 'operation', code,
  ...(base ? { base } : {}), system: false, type: true, instance: true, description, parameter,
});
/** A core operation as this server implements it: its own url, the spec's definition as `base` (it supports a subset of the inputs). */
const SERVER = 'urn:fhir-genomics-server:OperationDefinition/';
const CORE = 'http://hl7.org/fhir/OperationDefinition/';

type Param = NonNullable<OperationDefinition['parameter']>[number];
/** An optional input taking one value (most inputs are). */
const optIn = (name: string, type: string, documentation: string): Param => ({ name, use: 'in', min: 0, max: '1', type, documentation });
const out = (name: string, type: string, documentation: string, min: number, max: string): Param => ({ name, use: 'out', min, max, type, documentation });

export const CORE_OPERATION_DEFINITIONS: Record<string, OperationDefinition> = {
  'Resource-validate': def('Resource-validate', 'validate', `${SERVER}Resource-validate`, 'Validates a resource (structure, Genomics Reporting profiles, invariants) without storing it.', [
    optIn('resource', 'Resource', 'The resource to validate'),
    optIn('mode', 'code', 'create | update | delete | profile'),
    optIn('profile', 'uri', 'A profile to validate against'),
    { name: 'return', use: 'out', min: 1, max: '1', type: 'OperationOutcome', documentation: 'The validation result' },
  ], `${CORE}Resource-validate`),
  'Patient-everything': def('Patient-everything', 'everything', `${SERVER}Patient-everything`, "Everything in the patient's compartment (paged).", [
    optIn('_since', 'instant', 'Only resources updated since this instant'),
    { name: '_type', use: 'in', min: 0, max: '*', type: 'code', documentation: 'Resource types to include' },
    optIn('_count', 'integer', 'Page size'),
    { name: 'return', use: 'out', min: 1, max: '1', type: 'Bundle', documentation: 'searchset Bundle' },
  ], `${CORE}Patient-everything`),
  'import-vcf': def('import-vcf', 'import-vcf', `${SERVER}import-vcf`, 'Imports a VCF file as Genomics Reporting IG resources in one transaction (or several: batch-size).', [
    { name: 'vcf', use: 'in', min: 1, max: '1', type: 'string', documentation: 'The VCF text (or the request body as text/plain)' },
    { name: 'patient', use: 'in', min: 1, max: '1', type: 'string', documentation: 'Patient id the calls belong to' },
    optIn('build', 'code', 'GRCh37 | GRCh38 (default: from the header)'),
    optIn('sample', 'string', 'The sample column of a multi-sample file'),
    optIn('specimen', 'string', 'Specimen id the calls were made on'),
    optIn('genomic-source', 'code', 'germline | somatic (default germline)'),
    optIn('include-filtered', 'boolean', 'Import calls whose FILTER is not PASS'),
    optIn('allow-errors', 'boolean', 'Skip malformed lines (counted) instead of refusing the file'),
    optIn('max-report-results', 'integer', 'Most results one GenomicReport lists'),
    optIn('studied', 'string', 'BED of the regions studied'),
    optIn('uncallable', 'string', 'BED of the regions that could not be called'),
    optIn('annotations', 'string', 'TSV of gene, transcript, HGVS and significance per variant'),
    optIn('batch-size', 'integer', 'Import in transactions of this many resources (for call sets too large for one); a file with a malformed line is still refused before anything is written'),
    // the answer is a Parameters of these (toParameters in import-vcf.ts)
    out('report', 'Reference', 'The GenomicReport (DiagnosticReport)', 1, '1'),
    out('study', 'Reference', 'The GenomicStudy (Procedure)', 1, '1'),
    out('build', 'code', 'GRCh37 | GRCh38, as used', 1, '1'),
    out('sample', 'string', 'The sample column imported', 1, '1'),
    out('records', 'integer', 'Data lines read', 1, '1'),
    out('variants', 'integer', 'Variant Observations produced', 1, '1'),
    out('phase-relationships', 'integer', 'SequencePhaseRelationship Observations produced', 1, '1'),
    out('implications', 'integer', 'DiagnosticImplication Observations produced', 1, '1'),
    out('created', 'integer', 'Resources new to the server', 1, '1'),
    out('updated', 'integer', 'Resources that changed', 1, '1'),
    out('unchanged', 'integer', 'Resources already stored as produced (a re-import)', 1, '1'),
    { name: 'skipped', use: 'out', min: 0, max: '*', documentation: 'Calls not imported, per reason', part: [
      { name: 'reason', use: 'out', min: 1, max: '1', type: 'code', documentation: 'no-call, reference-call, filtered, duplicate, …' },
      { name: 'count', use: 'out', min: 1, max: '1', type: 'integer', documentation: 'How many' },
    ] },
    out('error', 'string', 'A malformed line skipped under allow-errors: line number and reason', 0, '*'),
  ]),
};
