import t from 'tap';
import { r4Expander, ValueSetExpander } from '../../scripts/r4-schemas/value-sets.js';

/**
 * The static value set expander behind the generated `enum`s (scripts/r4-schemas/value-sets.ts):
 * against R4 value sets whose codes the spec lists (https://hl7.org/fhir/R4/valueset-event-status.html …),
 * then the compose rules one by one on small hand-made definitions.
 */
t.test('R4 value sets expand to the codes the specification lists', async (t) => {
  const r4 = r4Expander();
  t.same(r4.expand('http://hl7.org/fhir/ValueSet/event-status|4.0.1'),
    ['preparation', 'in-progress', 'not-done', 'on-hold', 'stopped', 'completed', 'entered-in-error', 'unknown']);
  // order's children (original-order …) are nested concepts of the CodeSystem
  t.same(r4.expand('http://hl7.org/fhir/ValueSet/request-intent'),
    ['proposal', 'plan', 'directive', 'order', 'original-order', 'reflex-order', 'filler-order', 'instance-order', 'option']);
  t.same(r4.expand('http://hl7.org/fhir/ValueSet/request-priority'), ['routine', 'urgent', 'asap', 'stat']);
  t.same(r4.expand('http://hl7.org/fhir/ValueSet/days-of-week'), ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
  const itemTypes = r4.expand('http://hl7.org/fhir/ValueSet/item-type') ?? [];
  t.notOk(itemTypes.includes('question'), 'item-type: the abstract `question` is not a code');
  t.ok(itemTypes.includes('boolean') && itemTypes.includes('group'), 'item-type: its children and siblings are');
  t.equal(r4.expand('http://hl7.org/fhir/ValueSet/mimetypes'), undefined, 'mime types (BCP 13, not shipped): not expandable');
  t.equal(r4.expand('http://hl7.org/fhir/ValueSet/no-such-value-set'), undefined);
});

const cs = (url: string, concept: unknown[], content = 'complete') => ({ resourceType: 'CodeSystem', url, content, concept });
const vs = (url: string, compose: unknown) => ({ resourceType: 'ValueSet', url, compose });
const A = cs('http://x/a', [{ code: 'a1', concept: [{ code: 'a2', concept: [{ code: 'a3' }] }] }, { code: 'a4' }]);
const B = cs('http://x/b', [{ code: 'b1' }], 'fragment');

t.test('compose rules', async (t) => {
  const x = new ValueSetExpander([
    A, B,
    vs('http://x/all-a', { include: [{ system: 'http://x/a' }] }),
    vs('http://x/listed', { include: [{ system: 'http://x/a', concept: [{ code: 'a4' }, { code: 'a1' }] }] }),
    vs('http://x/excluded', { include: [{ system: 'http://x/a' }], exclude: [{ system: 'http://x/a', concept: [{ code: 'a2' }] }] }),
    vs('http://x/nested-vs', { include: [{ valueSet: ['http://x/listed'] }, { system: 'http://x/c', concept: [{ code: 'c1' }] }] }),
    vs('http://x/filtered', { include: [{ system: 'http://x/a', filter: [{ property: 'concept', op: 'is-a', value: 'a1' }] }] }),
    vs('http://x/fragment', { include: [{ system: 'http://x/b' }] }),
    vs('http://x/unknown-system', { include: [{ system: 'http://x/none' }] }),
    vs('http://x/intersection', { include: [{ system: 'http://x/a', valueSet: ['http://x/listed'] }] }),
    vs('http://x/uses-filtered', { include: [{ valueSet: ['http://x/filtered'] }] }),
    vs('http://x/loop', { include: [{ valueSet: ['http://x/loop'] }] }),
    vs('http://x/bad-exclude', { include: [{ system: 'http://x/a' }], exclude: [{ system: 'http://x/a', filter: [{}] }] }),
  ]);
  t.same(x.expand('http://x/all-a'), ['a1', 'a2', 'a3', 'a4'], 'a whole CodeSystem: nested concepts too');
  t.same(x.expand('http://x/listed'), ['a4', 'a1'], 'a concept list: those codes only');
  t.same(x.expand('http://x/excluded'), ['a1', 'a3', 'a4'], 'an exclude removes its codes (not their children)');
  t.same(x.expand('http://x/nested-vs'), ['a4', 'a1', 'c1'], 'an included value set, plus a listed code of a system not shipped');
  for (const url of ['filtered', 'fragment', 'unknown-system', 'intersection', 'uses-filtered', 'loop', 'bad-exclude']) {
    t.equal(x.expand(`http://x/${url}`), undefined, `${url}: not expandable statically`);
  }
});
