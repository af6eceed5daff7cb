import type { Resource } from '@medplum/fhirtypes';
import type { AuditNotes } from '../fhir/context.js';
import type { ResourceStore } from '../storage/types.js';
import { patientOf, resourcePatients } from './compartment.js';

/**
 * The patients an audited request touched (README "Audit trail"): read from the compartment of the
 * resources the core noted (AuditNotes), after the response is sent: resources by their compartment,
 * stored JSON by the Patients it names (patientsInJson).
 */
const MAX_TOUCHED = 1000;

export function touchedPatients(notes: AuditNotes | undefined, baseUrl?: string): string[] {
  if (!notes?.touched.length) return [];
  const out = new Set<string>();
  for (const t of notes.touched.slice(0, MAX_TOUCHED)) {
    if (typeof t === 'string') {
      patientsInJson(t, baseUrl, out);
      continue;
    }
    if (t && typeof t === 'object' && typeof t.resourceType === 'string') {
      for (const p of resourcePatients(t as Resource & { id?: string }, baseUrl)) out.add(p);
    }
  }
  return [...out];
}

// `"reference":"Patient/p1"` (relative, absolute, versioned) and a stored Patient's own id, which
// stored JSON writes first: `{"resourceType":"Patient","id":"p1"`.
const REF_OPEN = '"reference":"';
const PATIENT_REF_VALUE = /^[^"]*Patient\/[A-Za-z0-9\-.]{1,64}(?:\/_history\/[^"]*)?$/;
const OWN_ID = /^\{"resourceType":"Patient","id":"([A-Za-z0-9\-.]{1,64})"/;

/**
 * The patients a stored resource (its JSON as the store holds it) names: every Patient it refers
 * to, anywhere (contained resources included), and itself for a Patient. A scan of the text, not
 * a parse: this runs after every audited read, and parsing a Variant to walk its compartment
 * paths cost about 15 µs of a ~60 µs read. It names at least the compartment's patients; a
 * Patient referred to outside the compartment's elements (Observation.focus) is named too, which
 * an audit trail asking "whose data was touched" should rather over- than under-report.
 * What it finds is what /"reference":"([^"]*Patient\/ID(?:\/_history\/[^"]*)?)"/g would over
 * stored (valid) JSON, but it jumps from one `Patient/` to the next with indexOf and looks at
 * the string around it, instead of trying the pattern at every character of a 3 KB Variant.
 */
function patientsInJson(json: string, baseUrl: string | undefined, out: Set<string>): void {
  const first = json.indexOf('Patient');
  if (first < 0) return;
  const own = OWN_ID.exec(json);
  if (own) out.add(own[1]);
  for (let hit = json.indexOf('Patient/', first); hit >= 0;) {
    // the JSON string around this `Patient/`: from the quote before it to the one after it
    const open = json.lastIndexOf('"', hit);
    const close = json.indexOf('"', hit);
    if (close < 0) return;
    if (open >= REF_OPEN.length - 1 && json.startsWith(REF_OPEN, open - REF_OPEN.length + 1)) {
      const value = json.slice(open + 1, close);
      if (PATIENT_REF_VALUE.test(value)) {
        const id = patientOf(value, baseUrl);
        if (id !== undefined) out.add(id);
      }
    }
    hit = json.indexOf('Patient/', close + 1);
  }
}

/**
 * The patients of the resource an instance-level request targeted when the core noted nothing
 * (a refused write, a delete): its current version, or the last live one before a deletion.
 */
export async function targetPatients(store: ResourceStore, type: string, id: string, baseUrl?: string): Promise<string[]> {
  try {
    let rec = await store.read(type, id);
    if (rec?.deleted && rec.versionId > 1) rec = await store.vread(type, id, rec.versionId - 1);
    return rec?.json ? touchedPatients({ touched: [rec.json] }, baseUrl) : [];
  } catch {
    return [];
  }
}
