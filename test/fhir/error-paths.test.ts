import t from 'tap';
import { send, testApp } from './helpers.js';

/**
 * Errors about one element of the input name it in `expression` (FHIRPath from where it sits),
 * as the REST interaction answering the same thing does.
 */
t.test('a transaction\'s conditional update whose body id differs from the match names Bundle.entry[i].resource.id', async (t) => {
  const app = await testApp(t);
  const patient = { resourceType: 'Patient', id: 'p1', identifier: [{ system: 'urn:mrn', value: '7' }] };
  t.equal((await send(app, 'PUT', '/fhir/Patient/p1', patient)).statusCode, 201);
  const rest = await send(app, 'PUT', '/fhir/Patient?identifier=urn:mrn|7', { ...patient, id: 'other' });
  t.equal(rest.statusCode, 400, 'REST: 400');
  t.match(rest.json().issue, [{ expression: ['Patient.id'] }], 'REST names the id');
  const tx = await send(app, 'POST', '/fhir', {
    resourceType: 'Bundle', type: 'transaction',
    entry: [
      { fullUrl: 'urn:uuid:0b4e6e0e-0000-4000-8000-000000000001', resource: { resourceType: 'Basic', code: { text: 'x' } }, request: { method: 'POST', url: 'Basic' } },
      { resource: { ...patient, id: 'other' }, request: { method: 'PUT', url: 'Patient?identifier=urn:mrn|7' } },
    ],
  });
  t.equal(tx.statusCode, 400, `transaction: 400 (${tx.body.slice(0, 200)})`);
  t.match(tx.json().issue, [{ diagnostics: /differs from the matched Patient\/p1/, expression: ['Bundle.entry[1].resource.id'] }], 'the transaction names the entry\'s id');
});
