import type { OperationHandler } from '../context.js';
import { importVcfOperation } from './import-vcf.js';
import { genomicsOperations } from '../../genomics/operations/index.js';
import { everythingOperation } from './everything.js';
import { validateOperation } from './validate.js';

/**
 * Every `$operation` the server implements, one file each (Medplum's fhir-router style). The
 * HTTP layer routes `/fhir/$name`, `/fhir/Type/$name` and `/fhir/Type/id/$name` here, and the
 * CapabilityStatement lists them. Add an operation by importing its handler into this list.
 */
export const operationHandlers: OperationHandler[] = [importVcfOperation, ...genomicsOperations, everythingOperation, validateOperation];
