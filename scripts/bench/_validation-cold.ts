/**
 * Child process of the validation benchmark: measures a cold start (module import, schema load,
 * first compile of the genomics types, all 146 types) in a fresh process. Prints JSON.
 */
const t0 = performance.now();
const { validatorFor, validatorStats } = await import('../../src/validation/schema-validators.js');
const { RESOURCE_TYPES } = await import('../../src/validation/resource-types.js');
const importMs = performance.now() - t0;
let t = performance.now();
validatorFor('Observation');
const firstObservationMs = performance.now() - t;
t = performance.now();
for (const type of ['DiagnosticReport', 'MolecularSequence', 'Patient', 'Specimen', 'ServiceRequest', 'Bundle']) validatorFor(type);
const genomicsMs = performance.now() - t;
t = performance.now();
for (const type of RESOURCE_TYPES) validatorFor(type);
const restMs = performance.now() - t;
console.log(JSON.stringify({ importMs, loadMs: validatorStats.loadMs, firstObservationMs, genomicsMs, restMs }));
