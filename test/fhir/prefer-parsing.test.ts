import t from 'tap';
import { preferReturn, preferStrict } from '../../src/fhir/rest/request-utils.js';
import { send, testApp } from './helpers.js';

/**
 * `Prefer` (RFC 7240 §2): a preference is a token with an optional value, a token or a quoted
 * string; one not understood is ignored. A value that merely begins like a known one
 * (`return=minimalist`) is not that one, and the default (representation) applies.
 */
t.test('Prefer return= and handling= are read as whole preferences', async (t) => {
  const h = (prefer: string) => ({ prefer });
  t.equal(preferReturn(h('return=minimal')), 'minimal');
  t.equal(preferReturn(h('return="minimal"')), 'minimal', 'a quoted value');
  t.equal(preferReturn(h('handling=lenient, return=OperationOutcome')), 'OperationOutcome');
  t.equal(preferReturn(h('respond-async; return=minimal')), 'minimal');
  t.equal(preferReturn(h('return=minimalist')), 'representation', 'another value is not minimal');
  t.equal(preferReturn(h('x-return=minimal')), 'representation', 'another preference');
  t.equal(preferReturn({}), 'representation');
  t.equal(preferStrict(h('handling=strict')), true);
  t.equal(preferStrict(h('return=minimal, handling="strict"')), true);
  t.equal(preferStrict(h('handling=strictest')), false);
  t.equal(preferStrict(h('x-handling=strict')), false);
});

t.test('over HTTP: return=minimalist answers the representation', async (t) => {
  const app = await testApp(t);
  const res = await send(app, 'PUT', '/fhir/Patient/p1', { resourceType: 'Patient', id: 'p1' }, { prefer: 'return=minimalist' });
  t.equal(res.statusCode, 201);
  t.equal(res.json().id, 'p1');
});
