import type { OperationDefinition } from '@medplum/fhirtypes';

/**
 * OperationDefinitions of the non-genomics operations the server implements, in the shape the
 * FHIR spec publishes them (https://hl7.org/fhir/R4/resource-operation-validate.html,
 * https://hl7.org/fhir/R4/patient-operation-everything.html) plus the server's own $import-vcf.
 * They drive the OpenAPI parameters of those operations as the IG's definitions drive theirs.
 */
const def = (id: string, url: string, description: string, parameter: OperationDefinition['parameter']): OperationDefinition => ({
  resourceType: 'OperationDefinition', id, url, name: id, status: 'active', kind: 'operation', code: id,
  system: false, type: true, instance: true, description, parameter,
});

export const CORE_OPERATION_DEFINITIONS: Record<string, OperationDefinition> = {
  validate: def('validate', 'http://hl7.org/fhir/OperationDefinition/Resource-validate', 'Validates a resource (structure, Genomics Reporting profiles, invariants) without storing it.', [
    { name: 'resource', use: 'in', min: 0, max: '1', type: 'Resource', documentation: 'The resource to validate' },
    { name: 'mode', use: 'in', min: 0, max: '1', type: 'code', documentation: 'create | update | delete | profile' },
    { name: 'profile', use: 'in', min: 0, max: '1', type: 'uri', documentation: 'A profile to validate against' },
    { name: 'return', use: 'out', min: 1, max: '1', type: 'OperationOutcome', documentation: 'The validation result' },
  ]),
  everything: def('everything', 'http://hl7.org/fhir/OperationDefinition/Patient-everything', "Everything in the patient's compartment (paged).", [
    { name: '_since', use: 'in', min: 0, max: '1', type: 'instant', documentation: 'Only resources updated since this instant' },
    { name: '_type', use: 'in', min: 0, max: '*', type: 'code', documentation: 'Resource types to include' },
    { name: '_count', use: 'in', min: 0, max: '1', type: 'integer', documentation: 'Page size' },
    { name: 'return', use: 'out', min: 1, max: '1', type: 'Bundle', documentation: 'searchset Bundle' },
  ]),
  'import-vcf': def('import-vcf', 'urn:fhir-genomics-server:OperationDefinition/import-vcf', 'Imports a VCF file as Genomics Reporting IG resources in one transaction.', [
    { name: 'vcf', use: 'in', min: 1, max: '1', type: 'string', documentation: 'The VCF text (or the request body as text/plain)' },
    { name: 'patient', use: 'in', min: 1, max: '1', type: 'string', documentation: 'Patient id the calls belong to' },
    { name: 'build', use: 'in', min: 0, max: '1', type: 'code', documentation: 'GRCh37 | GRCh38 (default: from the header)' },
    { name: 'sample', use: 'in', min: 0, max: '1', type: 'string', documentation: 'The sample column of a multi-sample file' },
    { name: 'specimen', use: 'in', min: 0, max: '1', type: 'string', documentation: 'Specimen id the calls were made on' },
    { name: 'genomic-source', use: 'in', min: 0, max: '1', type: 'code', documentation: 'germline | somatic (default germline)' },
    { name: 'include-filtered', use: 'in', min: 0, max: '1', type: 'boolean', documentation: 'Import calls whose FILTER is not PASS' },
    { name: 'allow-errors', use: 'in', min: 0, max: '1', type: 'boolean', documentation: 'Skip malformed lines (counted) instead of refusing the file' },
    { name: 'max-report-results', use: 'in', min: 0, max: '1', type: 'integer', documentation: 'Most results one GenomicReport lists' },
    { name: 'studied', use: 'in', min: 0, max: '1', type: 'string', documentation: 'BED of the regions studied' },
    { name: 'uncallable', use: 'in', min: 0, max: '1', type: 'string', documentation: 'BED of the regions that could not be called' },
    { name: 'annotations', use: 'in', min: 0, max: '1', type: 'string', documentation: 'TSV of gene, transcript, HGVS and significance per variant' },
    { name: 'return', use: 'out', min: 1, max: '1', type: 'Bundle', documentation: 'transaction-response Bundle' },
  ]),
};
