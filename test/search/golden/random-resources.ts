import { readFileSync } from 'node:fs';
import type { Resource } from '@medplum/fhirtypes';
import { prng } from '../../../scripts/seed-variants.js';

/**
 * Seeded random resources of every R4 type, filled from the element model
 * (schemas/r4/element-model.json): each optional element present with some probability, one
 * member per choice group, values drawn from small pools chosen to hit the indexer's branches
 * (accents and `$`/`\` in strings, every date precision, relative / absolute / versioned /
 * contained / urn references with identifiers, UCUM and other units, canonicals with |version,
 * ContactPoint systems). Not valid FHIR (cardinalities and bindings are ignored): the search
 * index must be the same for any shape, and these reach parameters no example does.
 */
interface TypeDef {
  props: Record<string, string>;
  choices?: Record<string, string[]>;
}

const MODEL = JSON.parse(readFileSync(new URL('../../../schemas/r4/element-model.json', import.meta.url), 'utf8')) as { definitions: Record<string, TypeDef> };
const TYPES = JSON.parse(readFileSync(new URL('../../../schemas/r4/resource-types.json', import.meta.url), 'utf8')) as string[];

const STRINGS = ['Müller', 'garcía', 'Smith', 'O\'Brien', 'a$b', 'back\\slash', 'EGFR', 'ÅSE Ørsted', 'x', 'Hello World', 'NM_005228.5:c.2573T>G'];
const CODES = ['final', 'composed-of', 'depends-on', 'derived-from', 'predecessor', 'successor', 'active', 'completed', 'male', 'female', 'LA6706-1', '48018-6', 'a$b', 'x|y', 'phone', 'email', 'url', 'mg', 'official'];
const SYSTEMS = ['http://loinc.org', 'http://snomed.info/sct', 'urn:oid:1.2.3', 'http://unitsofmeasure.org', 'phone', 'email', ''];
const DATES = ['2020', '2020-03', '2020-03-04', '2020-03-04T10:00:00Z', '2020-03-04T10:00:00+02:00', '2021-06-30T23:59:59.999Z', '2020-03-04T10:00', 'bad-date', '2019-13-01', '2019-12-31T10:00:00.5-05:00'];
const TIMES = ['10:00:00', '23:59:59.5'];
const URIS = ['http://example.org/fhir/StructureDefinition/x', 'http://hl7.org/fhir/ValueSet/y|4.0.1', 'urn:uuid:0c3151bd-1cbf-4d64-b04d-cd9187a4c6e0', 'urn:oid:1.2.3.4', 'http://files.example.org/r1.pdf'];
const REF_TYPES = ['Patient', 'Observation', 'Practitioner', 'Organization', 'Group', 'Device', 'Location', 'Encounter', 'Specimen', 'Condition', 'RelatedPerson', 'Medication', 'Substance'];
const UNITS = ['mg', 'g', 'kg', 'mL', 'mmol/L', 'mg/dL', '%', 'mm[Hg]', 'min', 'h', 'cm', 'USD', '1', 'widgets'];

export function* randomResources(perType: number, seed: number): Generator<Resource & { id: string }> {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const chance = (p: number) => rnd() < p;
  let serial = 0;

  const reference = (): Record<string, unknown> => {
    const t = chance(0.4) ? 'Patient' : pick(REF_TYPES);
    const id = `r${Math.floor(rnd() * 50)}`;
    const out: Record<string, unknown> = {};
    const form = rnd();
    if (form < 0.5) out.reference = `${t}/${id}`;
    else if (form < 0.6) out.reference = `http://other.org/fhir/${t}/${id}/_history/2`;
    else if (form < 0.68) out.reference = `http://other.org/fhir/${t}/${id}`;
    else if (form < 0.76) out.reference = '#contained1';
    else if (form < 0.82) out.reference = pick(URIS);
    else if (form < 0.86) out.reference = `${t}/${id}/_history/1`;
    if (chance(0.25)) out.identifier = identifier();
    if (chance(0.3)) out.display = pick(STRINGS);
    if (chance(0.15)) out.type = t;
    return out;
  };
  const coding = (): Record<string, unknown> => ({
    ...(chance(0.8) ? { system: pick(SYSTEMS) } : {}),
    ...(chance(0.9) ? { code: pick(CODES) } : {}),
    ...(chance(0.5) ? { display: pick(STRINGS) } : {}),
  });
  const concept = (): Record<string, unknown> => ({
    ...(chance(0.85) ? { coding: Array.from({ length: 1 + Math.floor(rnd() * 3) }, coding) } : {}),
    ...(chance(0.4) ? { text: pick(STRINGS) } : {}),
  });
  const identifier = (): Record<string, unknown> => ({
    ...(chance(0.3) ? { use: 'official' } : {}),
    ...(chance(0.3) ? { type: concept() } : {}),
    ...(chance(0.8) ? { system: pick(SYSTEMS) } : {}),
    ...(chance(0.9) ? { value: pick([...STRINGS, 'MRN1', '12345']) } : {}),
    ...(chance(0.1) ? { assigner: { display: 'x' } } : {}),
  });
  const quantity = (): Record<string, unknown> => {
    const unit = pick(UNITS);
    return {
      ...(chance(0.92) ? { value: pick([0, 1, 5.4, 120, -3, 1e-3, 0.12]) } : { value: 'a' }),
      ...(chance(0.6) ? { unit } : {}),
      ...(chance(0.7) ? { system: pick(['http://unitsofmeasure.org', 'urn:iso:std:iso:4217', 'http://x.org']) } : {}),
      ...(chance(0.7) ? { code: chance(0.8) ? unit : pick(UNITS) } : {}),
      ...(chance(0.1) ? { comparator: '<' } : {}),
    };
  };
  const period = (): Record<string, unknown> => ({ ...(chance(0.7) ? { start: pick(DATES) } : {}), ...(chance(0.6) ? { end: pick(DATES) } : {}) });

  const primitive = (type: string): unknown => {
    switch (type) {
      case 'boolean': return chance(0.5);
      case 'integer': case 'unsignedInt': case 'positiveInt': return Math.floor(rnd() * 100);
      case 'decimal': return pick([0, 1.5, 100, 5.4, -2]);
      case 'date': case 'dateTime': case 'instant': return pick(DATES);
      case 'time': return pick(TIMES);
      case 'uri': case 'url': case 'canonical': case 'oid': case 'uuid': return pick(URIS);
      case 'code': return pick(CODES);
      case 'id': return `id${Math.floor(rnd() * 100)}`;
      case 'base64Binary': return 'aGVsbG8=';
      case 'xhtml': return '<div xmlns="http://www.w3.org/1999/xhtml">x</div>';
      default: return pick(STRINGS); // string, markdown
    }
  };

  const value = (type: string, depth: number): unknown => {
    switch (type) {
      case 'Reference': return reference();
      case 'CodeableConcept': return concept();
      case 'Coding': return coding();
      case 'Identifier': return identifier();
      case 'Quantity': case 'Age': case 'Count': case 'Distance': case 'Duration': case 'SimpleQuantity': case 'MoneyQuantity': return quantity();
      case 'Money': return { value: pick([10, 99.5]), currency: pick(['USD', 'EUR']) };
      case 'Period': return period();
      case 'Range': return { low: quantity(), high: quantity() };
      case 'Timing': return {
        ...(chance(0.7) ? { event: Array.from({ length: 1 + Math.floor(rnd() * 2) }, () => pick(DATES)) } : {}),
        ...(chance(0.6) ? { repeat: { boundsPeriod: period(), frequency: 2 } } : {}),
        ...(chance(0.3) ? { code: concept() } : {}),
      };
      case 'ContactPoint': return { ...(chance(0.8) ? { system: pick(['phone', 'email', 'url', 'fax', 'other']) } : {}), value: pick(['+1 555', 'a@b.org', 'Müller']), ...(chance(0.3) ? { use: 'home' } : {}) };
      case 'HumanName': return {
        ...(chance(0.3) ? { text: pick(STRINGS) } : {}), ...(chance(0.8) ? { family: pick(STRINGS) } : {}),
        ...(chance(0.8) ? { given: [pick(STRINGS), ...(chance(0.3) ? [pick(STRINGS)] : [])] } : {}), ...(chance(0.2) ? { prefix: ['Dr.'] } : {}),
      };
      case 'Address': return {
        ...(chance(0.6) ? { line: [pick(STRINGS)] } : {}), ...(chance(0.6) ? { city: pick(STRINGS) } : {}), ...(chance(0.4) ? { state: 'CA' } : {}),
        ...(chance(0.4) ? { postalCode: '94110' } : {}), ...(chance(0.4) ? { country: pick(STRINGS) } : {}), ...(chance(0.2) ? { use: 'home' } : {}),
      };
      case 'Attachment': return { contentType: 'application/pdf', ...(chance(0.7) ? { url: pick(URIS) } : {}), ...(chance(0.4) ? { title: pick(STRINGS) } : {}) };
      case 'Meta': return {
        ...(chance(0.7) ? { profile: [pick(URIS)] } : {}), ...(chance(0.7) ? { tag: [coding()] } : {}),
        ...(chance(0.7) ? { security: [coding()] } : {}), ...(chance(0.7) ? { source: pick(URIS) } : {}),
      };
      case 'Narrative': case 'Resource': case 'Extension': return undefined;
    }
    if (/^[a-z]/.test(type)) return primitive(type);
    const def = MODEL.definitions[type];
    if (!def || depth > 3) return undefined;
    return fill(def, depth + 1, 0.7);
  };

  const fill = (def: TypeDef, depth: number, p: number): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    const choiceOf = new Map<string, string>();
    for (const [g, members] of Object.entries(def.choices ?? {})) for (const m of members) choiceOf.set(m, g);
    const chosen = new Map<string, string>();
    for (const [g, members] of Object.entries(def.choices ?? {})) chosen.set(g, pick(members));
    for (const [name, t] of Object.entries(def.props)) {
      if (name === 'id' || name === 'extension' || name === 'modifierExtension' || name === 'contained' || name === 'text') continue;
      const g = choiceOf.get(name);
      if (g && chosen.get(g) !== name) continue;
      if (!chance(p)) continue;
      const many = t.endsWith('[]');
      const base = many ? t.slice(0, -2) : t;
      if (many) {
        const items = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => value(base, depth)).filter((v) => v !== undefined);
        if (items.length) out[name] = items;
      } else {
        const v = value(base, depth);
        if (v !== undefined) out[name] = v;
      }
    }
    return out;
  };

  for (const type of TYPES) {
    const def = MODEL.definitions[type];
    if (!def) continue;
    for (let i = 0; i < perType; i++) {
      yield { resourceType: type, id: `rnd-${type}-${serial++}`, ...fill(def, 0, 0.85) } as Resource & { id: string };
    }
  }
}
