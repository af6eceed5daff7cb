import type { Resource } from '@medplum/fhirtypes';
import { canSee } from '../../auth/authorize.js';
import { inPatientCompartment } from '../../auth/compartment.js';
import type { FhirContext, FhirRequest } from '../../fhir/context.js';

/**
 * Whether a resource reached by following a reference (a report's specimen or genomic study, an
 * implication's finding) may join a subject operation's answer: the caller may see it, and it
 * is in the subject's compartment. References are whatever their writer typed, so a record can
 * name another patient's resources; following them must not read those out.
 */
export function subjectOwns(ctx: FhirContext, req: FhirRequest, subject: string, resource: Resource): boolean {
  if (!canSee(req.auth, resource)) return false;
  const [type, id] = subject.split('/');
  // Group subjects have no compartment of their own: the caller's visibility is the whole test
  return type !== 'Patient' || inPatientCompartment(resource, id, ctx.config.baseUrl);
}
