import type { BundleEntry } from '@medplum/fhirtypes';
import type { AuditNotes, FhirRequest } from '../context.js';
import { idOfVersionUrl } from '../rest/response.js';

/**
 * The audit note of one batch or transaction entry (README "Audit trail"): its request, the status
 * it was answered with and what it touched, so the trail records each entry's interaction,
 * resource or query and patient, not just "a Bundle was posted".
 */
export function noteEntry(req: FhirRequest, entry: BundleEntry | undefined, answered: BundleEntry, notes: AuditNotes | undefined): void {
  if (!req.audit || !notes) return;
  const status = Number.parseInt(answered.response?.status ?? '', 10);
  const location = answered.response?.location;
  // a refused write touched nothing, but it reached for the patients its resource names
  if (Number.isFinite(status) && status >= 400 && !notes.touched.length && entry?.resource && typeof entry.resource === 'object') notes.touched.push(entry.resource);
  const id = idOfVersionUrl(location);
  (req.audit.entries ??= []).push({
    method: typeof entry?.request?.method === 'string' ? entry.request.method : 'unknown',
    url: typeof entry?.request?.url === 'string' ? entry.request.url : '',
    status: Number.isFinite(status) ? status : 500,
    ...(id ? { id } : {}),
    notes,
  });
}

export const entryNotes = (req: FhirRequest): AuditNotes | undefined => (req.audit ? { touched: [] } : undefined);
