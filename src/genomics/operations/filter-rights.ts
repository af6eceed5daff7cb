import { mayReadType } from '../../auth/authorize.js';
import type { AuthContext } from '../../fhir/context.js';
import { FhirError } from '../../fhir/errors.js';
import type { OperationInputs } from './params.js';

/**
 * The provenance filters are evaluated on resources other than the Observations the subject
 * operations' scope rule checks (operation-rules.ts): `testIdentifiers` and `testDateRange` on the
 * subject's DiagnosticReports (their identifiers, their dates), `specimenIdentifiers` on Specimens
 * (their identifiers) and on the reports naming them. A caller that may not read those types is
 * refused (403 naming the parameter) rather than answered from them:
 * - answering would leak: no report is returned, but whether a Variant is filtered in or out says
 *   which report (accession, date) or specimen it came from, one probe at a time;
 * - filtering over readable reports only would answer "nothing" (`presence: false`) for every
 *   such filter, a silent false negative a genomics client would read as an absent variant.
 * The refusal depends on the token alone, never on the data, so it tells nothing about the
 * record. A patient-level token needs the rights as `patient/` scopes (the reports are in its
 * own compartment, the subject being its patient).
 */
const NEEDS: Record<string, string[]> = {
  testIdentifiers: ['DiagnosticReport'],
  testDateRange: ['DiagnosticReport'],
  specimenIdentifiers: ['DiagnosticReport', 'Specimen'],
};

export function assertMayFilter(auth: AuthContext | undefined, inputs: OperationInputs): void {
  if (!auth) return;
  for (const [name, types] of Object.entries(NEEDS)) {
    if (!inputs.raw(name).length) continue;
    const missing = types.find((t) => !mayReadType(auth, t));
    if (!missing) continue;
    const scope = `${auth.patient !== undefined ? 'patient' : 'system'}/${missing}.rs`;
    throw new FhirError('FORBIDDEN', `${name} is evaluated on ${types.join(' and ')} resources: it needs the right to read ${missing} (${scope})`, {
      expression: name,
      headers: { 'www-authenticate': `Bearer realm="fhir", error="insufficient_scope", scope="${scope}"` },
    });
  }
}
