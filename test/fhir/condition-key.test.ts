import t from 'tap';
import { conditionKey } from '../../src/fhir/rest/request-utils.js';

// The lock a conditional write takes on MongoDB (write-core.ts conditionalMatches): criteria that
// mean the same search must share it, or two concurrent creates both find nothing and both write.

t.test('equivalent criteria share one key', async (t) => {
  const same: Array<[string, string, string]> = [
    ['identifier=a%7Cb', 'identifier=a|b', 'percent-encoded | (the search decodes it)'],
    ['name=van+der', 'name=van%20der', '+ and %20 are both a space in a query string'],
    ['family=x&given=y', 'given=y&family=x', 'parameter order'],
    ['identifier=a&identifier=b', 'identifier=b&identifier=a', 'order of AND repeats'],
    ['code=a,b', 'code=b,a', 'order of OR values'],
    ['code=a,b', 'code=a,b,a', 'a repeated OR value'],
    ['identifier=a', 'identifier=a&identifier=a', 'a repeated AND value'],
    ['identifier=a|1', 'identifier=a|1&_count=5', '_count selects nothing'],
    ['identifier=a|1', '_sort=-_lastUpdated&identifier=a|1&_include=Patient:organization&_summary=true&_total=accurate', 'result parameters select nothing'],
    ['identifier=a|1', '?identifier=a|1', 'a leading ?'],
    ['code=a\\,b,c', 'code=c,a%5C%2Cb', 'an escaped comma is one value, whatever the encoding'],
    ['subject.name=x,y', 'subject.name=y,x', 'OR values of a chain'],
  ];
  for (const [a, b, why] of same) {
    t.equal(conditionKey('Patient', a), conditionKey('Patient', b), why);
  }
});

t.test('different criteria keep different keys', async (t) => {
  const differ: Array<[string, string, string]> = [
    ['identifier=a|b', 'identifier=a%5C%7Cb', 'an escaped | is another token'],
    ['code=a\\,b', 'code=a,b', 'an escaped comma is not an OR'],
    ['identifier=a&identifier=b', 'identifier=a,b', 'AND is not OR'],
    ['identifier=a', 'identifier:exact=a', 'a modifier'],
    ['name=A', 'name=a', 'case (the key does not fold: a stricter key only serializes less)'],
    ['identifier=a', 'identifier=a&active=true', 'one more criterion'],
    ['identifier=a=b', 'identifier=a', 'a value with = in it'],
    ['identifier=a%26active%3Dtrue', 'identifier=a&active=true', 'an encoded & is part of the value'],
  ];
  for (const [a, b, why] of differ) t.not(conditionKey('Patient', a), conditionKey('Patient', b), why);
  t.not(conditionKey('Patient', 'identifier=a'), conditionKey('Practitioner', 'identifier=a'), 'another type');
  t.equal(conditionKey('Patient', 'identifier=a%7Cb'), 'Patient?identifier=a%7Cb', 'one canonical encoding');
});
