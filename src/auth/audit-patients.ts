import type { Resource } from '@medplum/fhirtypes';
import type { AuditNotes } from '../fhir/context.js';
import type { ResourceStore } from '../storage/types.js';
import { resourcePatients } from './compartment.js';

/**
 * The patients an audited request touched (README "Audit trail"): read from the compartment of the
 * resources the core noted (AuditNotes), after the response is sent. A stored JSON string that names
 * no Patient is not parsed (no patient compartment membership without a `Patient/` reference).
 */
const MAX_TOUCHED = 1000;

export function touchedPatients(notes: AuditNotes | undefined, baseUrl?: string): string[] {
  if (!notes?.touched.length) return [];
  const out = new Set<string>();
  for (const t of notes.touched.slice(0, MAX_TOUCHED)) {
    let resource: Resource | undefined;
    if (typeof t === 'string') {
      if (!t.includes('Patient')) continue;
      try {
        resource = JSON.parse(t) as Resource;
      } catch {
        continue;
      }
    } else resource = t;
    if (resource && typeof resource === 'object' && typeof resource.resourceType === 'string') {
      for (const p of resourcePatients(resource as Resource & { id?: string }, baseUrl)) out.add(p);
    }
  }
  return [...out];
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
