import type { AuthContext } from '../context.js';
import { fhirError } from '../errors.js';
import { conditionKey } from '../rest/request-utils.js';
import { patientRestriction } from '../../auth/authorize.js';
import { findConditionalMatches } from '../../search/search-service.js';
import type { StoreTx } from '../../storage/types.js';
import { errorForEntry } from './entry-response.js';
import type { Planned } from './transaction-plan.js';

/**
 * Conditional entries of one transaction that would create the same resource twice
 * (https://hl7.org/fhir/R4/http.html#ccreate, #cond-update). Every condition is resolved against
 * the store as the transaction's DELETEs left it (those run first, http.html#trules; the other
 * entries are independent of each other's writes), so two `PUT Patient?identifier=x`, or a PUT
 * and a POST with `ifNoneExist: identifier=x`, would each find nothing and each create a Patient. Two checks:
 * - before anything runs, two conditional creates/updates/patches of one type with the same
 *   criteria (parameter order, repeats and percent-encoding normalized) refuse the Bundle;
 * - after the writes, inside the store transaction (whose reads see its own staged writes), each
 *   conditional entry that created a resource searches its criteria again: any other match is a
 *   resource this transaction just wrote (one that existed before would have matched already),
 *   and the Bundle is refused before it commits. This also catches equivalent criteria written
 *   differently, and a plain POST/PUT of a resource that a conditional create's criteria match.
 * Not covered: a conditional delete (runs first, and may legitimately make room for a create of
 * the same criteria); criteria whose match changes because an entry updated an existing resource
 * into or out of them (the condition was already answered from the prior state).
 */

function criteriaOf(p: Planned): string | undefined {
  if (p.kind === 'create') return p.ifNoneExist;
  if (p.kind === 'update' || p.kind === 'patch') return p.condition;
  return undefined;
}

/** Two conditional entries of one type with the same criteria: 400 naming both. */
export function throwIfSameConditions(plan: readonly Planned[]): void {
  const seen = new Map<string, Planned>();
  for (const p of plan) {
    const criteria = criteriaOf(p);
    if (criteria === undefined || !p.type) continue;
    const key = conditionKey(p.type, criteria); // the lock key's notion of "the same criteria"
    const first = seen.get(key);
    if (first) {
      throw errorForEntry(fhirError('BAD_REQUEST', `The conditional ${p.kind} of this entry has the same criteria (${p.type}?${criteria}) as the conditional ${first.kind} of Bundle.entry[${first.index}]: each would create its own resource`, 'request'), p.index);
    }
    seen.set(key, p);
  }
}

/** After the writes, before commit: a conditional entry that created a resource is its criteria's only match. */
export async function throwIfConditionsNowAmbiguous(tx: StoreTx, plan: readonly Planned[], auth?: AuthContext): Promise<void> {
  const byKey = new Map<string, number>();
  for (const p of plan) if (p.record && p.kind !== 'get') byKey.set(`${p.type}/${p.record.id}`, p.index);
  for (const p of plan) {
    const criteria = criteriaOf(p);
    if (criteria === undefined || p.status !== 201 || !p.record) continue;
    const { matches } = await findConditionalMatches(tx, p.type!, criteria, 3, patientRestriction(auth));
    const other = matches.find((m) => m.id !== p.record!.id);
    if (!other) continue;
    const by = byKey.get(`${other.resourceType}/${other.id}`);
    const who = by === undefined ? `${other.resourceType}/${other.id}` : `the resource Bundle.entry[${by}] writes`;
    throw errorForEntry(fhirError('BAD_REQUEST', `The criteria of this conditional ${p.kind} (${p.type}?${criteria}) also match ${who} in this transaction: it would store a duplicate`, 'request'), p.index);
  }
}
