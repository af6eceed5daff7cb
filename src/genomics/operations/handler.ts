import type { Parameters } from '@medplum/fhirtypes';
import { patientRestriction } from '../../auth/authorize.js';
import type { AuditNotes, FhirContext, FhirRequest, OperationHandler } from '../../fhir/context.js';
import { fhirError } from '../../fhir/errors.js';
import type { Issue } from '../../fhir/outcome.js';
import { operationDefinition } from './definitions.js';
import { GX } from './gx-fields.js';
import { parseSubject } from './inputs.js';
import { parameters, serializeParameters } from './output.js';
import { type OperationInputs, readInputs } from './params.js';
import { findDocs, x } from './query.js';
import { assertMayFilter } from './filter-rights.js';
import type { ParametersParameter } from '@medplum/fhirtypes';

/**
 * One factory for the 17 genomics operations: reads the inputs against the operation's
 * OperationDefinition, enforces who may ask (population questions are refused to patient-level
 * tokens; subject questions only about the token's own patient), runs the operation and wraps
 * the answer in Parameters.
 */
export interface OperationResult {
  parameter: ParametersParameter[];
  issues?: Issue[];
}

export interface RunArgs {
  inputs: OperationInputs;
  ctx: FhirContext;
  req: FhirRequest;
  /** `Patient/p1` for subject operations. */
  subject: string;
}

export function genomicsOperation(code: string, scope: 'subject' | 'population', run: (args: RunArgs) => Promise<OperationResult>): OperationHandler {
  return {
    name: code,
    // The IG's definitions say `type: true` without naming a type (and `system: false`); the
    // IG's own examples call them at the base, so both `/fhir/$op` and `/fhir/Observation/$op` work.
    levels: ['system', 'type'],
    resourceTypes: ['Observation'],
    definition: `http://hl7.org/fhir/uv/genomics-reporting/OperationDefinition/${code}`,
    affectsState: false,
    async handle(req, ctx) {
      if (scope === 'population' && patientRestriction(req.auth)) {
        throw fhirError('FORBIDDEN', `$${code} answers questions about many patients; a patient-level token may not ask it`);
      }
      const inputs = readInputs(operationDefinition(code), req);
      // provenance filters read reports and specimens: refused to a caller that may not (filter-rights.ts)
      if (scope === 'subject') assertMayFilter(req.auth, inputs);
      const subject = scope === 'subject' ? await resolveSubject(ctx, req, inputs.string('subject')) : '';
      const result = await run({ inputs, ctx, req, subject });
      if (req.audit) notePatients(req.audit, subject, result.parameter);
      const body: Parameters = parameters(result.parameter, result.issues ?? []);
      return { status: 200, body: serializeParameters(body) };
    },
  };
}

/**
 * The audit trail's patients (README "Audit trail"): a subject operation's subject (also when it
 * came in a Parameters body, which the request's URL does not show), and the patients a
 * population answer lists (`subject` parts, includePatientList). A count names nobody.
 */
function notePatients(notes: AuditNotes, subject: string, parameter: ParametersParameter[]): void {
  const ids = new Set<string>();
  if (subject.startsWith('Patient/')) ids.add(subject.slice('Patient/'.length));
  const walk = (list: ParametersParameter[] | undefined): void => {
    for (const p of list ?? []) {
      const ref = p.name === 'subject' ? p.valueString ?? p.valueReference?.reference : undefined;
      if (ref?.startsWith('Patient/')) ids.add(ref.slice('Patient/'.length));
      walk(p.part);
    }
  };
  walk(parameter);
  for (const id of ids) notes.touched.push({ resourceType: 'Patient', id });
}

/** The subject must exist (as a Patient, or at least as the subject of genomic data) and be visible. */
async function resolveSubject(ctx: FhirContext, req: FhirRequest, text: string | undefined): Promise<string> {
  const subject = parseSubject(text, ctx.config.baseUrl);
  const [type, id] = subject.split('/');
  // A patient-level token asks about its own patient only; anyone else is "not found" (no leak).
  // (The Observation scopes the operation needs are checked by authorize() before we get here.)
  const restricted = patientRestriction(req.auth);
  if (restricted && subject !== `Patient/${restricted}`) throw fhirError('NOT_FOUND', `${subject} is not known`, 'subject');
  const rec = await ctx.store.read(type, id);
  if (rec && !rec.deleted) return subject;
  // A deleted Patient's Observations stay stored, but the patient is gone: it is answered as
  // unknown (as population operations stop counting it), not from what it left behind. 404, not
  // 410: the answer is the same whether the subject never existed or was deleted.
  if (rec?.deleted) throw fhirError('NOT_FOUND', `Subject ${subject} is not known to this server`, 'subject');
  if ((await findDocs(ctx, 'Observation', { [x(GX.subject)]: subject }, 1)).length) return subject;
  throw fhirError('NOT_FOUND', `Subject ${subject} is not known to this server`, 'subject');
}
