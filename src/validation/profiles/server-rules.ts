import type { Issue, Severity } from '../../fhir/outcome.js';
import type { CompiledProfile } from './compile-profile.js';
import { IG_CANONICAL } from './ig-package.js';

/**
 * Rules this server adds to a few Genomics Reporting profiles, beyond what the IG 3.0.0
 * snapshots say, where a resource that the profile allows would be useless to the people who
 * act on it. They run wherever the profile is checked (claimed, requested by $validate, or
 * inferred from the code, with that check's severity), and every IG example satisfies them.
 *
 * gx-ti-1: a TherapeuticImplication names what it is about. IG 3.0.0 makes the
 * medication-assessed and therapy-assessed component slices 0..* each, so an implication with
 * neither passes the profile, yet it answers no "does the genotype imply a response to therapy
 * Y" question a payer or prescriber asks ($find-subject-tx-implications matches on them).
 * https://hl7.org/fhir/uv/genomics-reporting/STU3/StructureDefinition-therapeutic-implication.html
 */
interface ServerRule {
  key: string;
  human: string;
  /** Where the issue points (relative to the resource). */
  element: string;
  holds(resource: Record<string, unknown>): boolean;
}

const TBD = `${IG_CANONICAL}/CodeSystem/tbd-codes-cs`;
const MEDICATION_ASSESSED = 'http://loinc.org|51963-7';
const THERAPY_ASSESSED = `${TBD}|associated-therapy`;

function componentCodes(resource: Record<string, unknown>): Set<string> {
  const out = new Set<string>();
  const components = Array.isArray(resource.component) ? resource.component : [];
  for (const c of components as Array<{ code?: { coding?: unknown } } | null>) {
    const codings = Array.isArray(c?.code?.coding) ? (c.code.coding as Array<{ system?: unknown; code?: unknown } | null>) : [];
    for (const coding of codings) if (coding) out.add(`${String(coding.system ?? '')}|${String(coding.code ?? '')}`);
  }
  return out;
}

const RULES: Record<string, ServerRule[]> = {
  [`${IG_CANONICAL}/StructureDefinition/therapeutic-implication`]: [{
    key: 'gx-ti-1',
    human: 'A therapeutic implication names the medication (component 51963-7) or the non-medication therapy (component associated-therapy) it assesses',
    element: 'component',
    holds: (r) => {
      const codes = componentCodes(r);
      return codes.has(MEDICATION_ASSESSED) || codes.has(THERAPY_ASSESSED);
    },
  }],
};

/** Issues of the server rules attached to `profile` (none for most profiles). */
export function serverRuleIssues(profile: CompiledProfile, resource: Record<string, unknown>, severity: Severity, note = ''): Issue[] {
  const rules = RULES[profile.url];
  if (!rules || resource.resourceType !== profile.type) return [];
  const issues: Issue[] = [];
  for (const rule of rules) {
    if (rule.holds(resource)) continue;
    issues.push({
      severity,
      code: 'invariant',
      diagnostics: `Profile ${profile.name} (${profile.url})${note}: ${profile.type}.${rule.element}: server rule ${rule.key} failed: ${rule.human}`,
      expression: [`${profile.type}.${rule.element}`],
    });
  }
  return issues;
}
