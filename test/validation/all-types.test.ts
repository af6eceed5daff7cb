import t from 'tap';
import { RESOURCE_TYPES, isResourceType } from '../../src/validation/resource-types.js';
import { validatorFor } from '../../src/validation/schema-validators.js';
import { validateResource } from '../../src/validation/validate.js';
import { summary } from './helpers.js';

t.test('the official R4 resource set, nothing else', async (t) => {
  t.equal(RESOURCE_TYPES.length, 146, '146 concrete types (https://hl7.org/fhir/R4/resourcelist.html)');
  for (const name of ['MolecularSequence', 'Observation', 'DiagnosticReport', 'Bundle', 'Parameters', 'Binary', 'Specimen', 'ServiceRequest']) {
    t.ok(isResourceType(name), name);
  }
  for (const name of ['Resource', 'DomainResource', 'Project', 'User', 'Bot', 'SubscriptionStatus', 'GenomicStudy', 'observation', '__proto__']) {
    t.notOk(isResourceType(name), `${name} is not an R4 resource type`);
  }
  t.same([...RESOURCE_TYPES].sort(), RESOURCE_TYPES, 'sorted');
});

t.test('every official type has a validator that knows its own elements', async (t) => {
  for (const type of RESOURCE_TYPES) {
    t.ok(validatorFor(type), `${type} compiles`);
    const issues = summary(validateResource({ resourceType: type, notAnElement: true }));
    t.ok(issues.includes(`structure ${type}.notAnElement`), `${type} rejects unknown elements`);
    t.notOk(issues.some((i) => i.startsWith('structure ') && !i.endsWith('.notAnElement')), `${type}: no other structural complaint`);
  }
  t.equal(validatorFor('Project'), undefined, 'no validator for Medplum types');
});
