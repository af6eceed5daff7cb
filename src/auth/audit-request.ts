/**
 * What a FHIR REST request is about, read from its method and path alone (no body): the
 * interaction (https://hl7.org/fhir/R4/http.html), the resource type and id, the operation, and
 * the patient it concerns when the URL says so. Used by the audit trail and by the patient-token
 * guard; pure, so it is tested without HTTP.
 */
export interface RequestFacts {
  interaction: string;
  resourceType?: string;
  id?: string;
  operation?: string;
  /** Patient id named by the URL (`Patient/p1/…`) or by a `subject`/`patient` parameter. */
  patient?: string;
}

const TYPE = /^[A-Z][A-Za-z]{1,63}$/;

/**
 * `Patient/p1`, `p1`, `<own base>/Patient/p1` → `p1`; other references → undefined, including a
 * Patient on another server's base (`http://other.org/fhir/Patient/p1` is not our p1: search
 * indexes it by its URL only, see normalize.ts referenceKey).
 */
export function patientIdOf(value: string, baseUrl?: string): string | undefined {
  const local = baseUrl && value.startsWith(`${baseUrl}/`) ? value.slice(baseUrl.length + 1) : value;
  const m = /^Patient\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]*)?$/.exec(local);
  if (m) return m[1];
  return /^[A-Za-z0-9\-.]{1,64}$/.test(local) ? local : undefined;
}

export function describeRequest(method: string, path: string, query: Record<string, string[]> = {}, baseUrl?: string): RequestFacts {
  const seg = path.split('/').filter(Boolean);
  const facts = classify(method, seg);
  if (!facts.patient) {
    // `patient=` and `subject:Patient=` always name a patient; a bare `subject=` id only does for
    // the genomics operations, whose subject parameter is the patient.
    const subject = query.subject?.[0];
    const candidates = [query.patient?.[0], query['subject:Patient']?.[0], subject !== undefined && (facts.operation || subject.includes('Patient/')) ? subject : undefined];
    facts.patient = candidates.map((v) => (v === undefined ? undefined : patientIdOf(v, baseUrl))).find(Boolean);
  }
  return facts;
}

const TYPE_LEVEL: Record<string, string> = { POST: 'create', GET: 'search-type', HEAD: 'search-type', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

function classify(method: string, seg: string[]): RequestFacts {
  const opIndex = seg.findIndex((s) => s.startsWith('$'));
  if (opIndex >= 0) {
    const resourceType = opIndex >= 1 && TYPE.test(seg[0]) ? seg[0] : undefined;
    const id = opIndex === 2 ? seg[1] : undefined;
    return { interaction: 'operation', resourceType, id, operation: seg[opIndex].slice(1), patient: resourceType === 'Patient' ? id : undefined };
  }
  if (seg.length === 0) return { interaction: method === 'POST' ? 'batch/transaction' : 'search-system' };
  if (seg[0] === '_history') return { interaction: 'history-system' };
  if (seg[0] === '_search') return { interaction: 'search-system' };
  const resourceType = seg[0];
  // `PUT|PATCH|DELETE Type?criteria` are the conditional update, patch and delete (http.html#cond-update)
  if (seg.length === 1) return { interaction: TYPE_LEVEL[method.toUpperCase()] ?? 'unknown', resourceType };
  if (seg[1] === '_search') return { interaction: 'search-type', resourceType };
  if (seg[1] === '_history') return { interaction: 'history-type', resourceType };
  const id = seg[1];
  const patient = resourceType === 'Patient' ? id : undefined;
  if (seg.length === 2) {
    const interaction = { GET: 'read', HEAD: 'read', PUT: 'update', PATCH: 'patch', DELETE: 'delete' }[method] ?? 'unknown';
    return { interaction, resourceType, id, patient };
  }
  if (seg[2] === '_history') return { interaction: seg.length >= 4 ? 'vread' : 'history-instance', resourceType, id, patient };
  // Compartment search: Patient/p1/Observation
  return { interaction: 'search-compartment', resourceType: seg[2], patient, id: undefined };
}

/** AuditEvent.action for an interaction (C create, R read, U update, D delete, E execute). */
export function auditAction(interaction: string): 'C' | 'R' | 'U' | 'D' | 'E' {
  if (interaction === 'create') return 'C';
  if (interaction === 'update' || interaction === 'patch') return 'U';
  if (interaction === 'delete') return 'D';
  if (interaction === 'read' || interaction === 'vread' || interaction.startsWith('history')) return 'R';
  return 'E';
}
