import type { CheckRun } from './check-profile.js';
import type { ElementRule } from './compile-profile.js';
import { isObject, type Found } from './instance-values.js';

/**
 * Required bindings (https://hl7.org/fhir/R4/terminologies.html#required): a CodeableConcept
 * must carry at least one coding from the value set (text alone does not do), a Coding or a
 * code must be in it. Codes of systems that cannot be expanded here are accepted by system
 * (terminology.ts).
 */
export function checkBinding(run: CheckRun, rule: ElementRule, f: Found): void {
  const vs = rule.binding;
  if (!vs) return;
  const value = f.value;
  let codings: Array<{ system?: unknown; code?: unknown }>;
  if (typeof value === 'string') codings = [{ code: value }];
  else if (isObject(value) && Array.isArray(value.coding)) codings = value.coding.filter(isObject);
  else if (isObject(value) && ('code' in value || 'system' in value)) codings = [value];
  else if (isObject(value) && 'text' in value) codings = [];
  else return; // Quantity units and other bound types without codes: nothing to check
  const systemOf = (c: { system?: unknown }) => (typeof value === 'string' ? undefined : typeof c.system === 'string' ? c.system : '');
  const ok = codings.some((c) => vs.has(systemOf(c), typeof c.code === 'string' ? c.code : undefined) !== 'not-member');
  if (ok) return;
  const found = codings.length ? codings.map((c) => `${String(c.system ?? '')}|${String(c.code ?? '')}`).join(', ') : 'no coding';
  if (run.issues.length >= 100) return;
  run.issues.push({
    severity: run.severity,
    code: 'code-invalid',
    diagnostics: `Profile ${run.label}: ${rule.id}: required binding to ${vs.url} not met: ${found} is not in the value set (${vs.describe})`,
    expression: [f.expr],
  });
}
