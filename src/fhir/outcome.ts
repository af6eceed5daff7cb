import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';

/**
 * Errors are data: a list of issues, each with a severity, an IssueType code, a message and a
 * FHIRPath expression pointing at the offending element. This file is the one place that turns
 * such lists into OperationOutcome resources (https://hl7.org/fhir/R4/operationoutcome.html).
 */
export type Severity = OperationOutcomeIssue['severity'];
export type IssueCode = OperationOutcomeIssue['code'];

export interface Issue {
  severity: Severity;
  code: IssueCode;
  diagnostics: string;
  /** FHIRPath-style location, e.g. `Observation.component[3].valueString`. */
  expression?: string[];
  /** Stable machine-readable code from the error catalog, carried in `details.coding`. */
  catalogCode?: string;
  /**
   * The rule this issue reports, for code that must treat one rule's issues apart without reading
   * its message: a FHIR invariant (`ele-1`, ../validation/invariants/empty-element.ts) or a
   * profile's reference targets (`targetProfile`, ../validation/profiles/reference-targets.ts).
   * Internal: the OperationOutcome says the rule in `diagnostics`.
   */
  rule?: string;
}

export const MAX_ISSUES = 100;

export function toOperationOutcome(issues: Issue[]): OperationOutcome {
  const bounded = issues.slice(0, MAX_ISSUES);
  const out: OperationOutcomeIssue[] = bounded.map((i) => {
    const issue: OperationOutcomeIssue = { severity: i.severity, code: i.code, diagnostics: i.diagnostics };
    if (i.catalogCode) {
      issue.details = { coding: [{ system: 'urn:fhir-genomics-server:error', code: i.catalogCode }], text: i.diagnostics };
    }
    if (i.expression?.length) issue.expression = i.expression;
    return issue;
  });
  if (issues.length > MAX_ISSUES) {
    out.push({
      severity: 'warning',
      code: 'too-costly',
      diagnostics: `${issues.length - MAX_ISSUES} further issues were not reported`,
    });
  }
  return { resourceType: 'OperationOutcome', issue: out };
}

/** An outcome that reports `message`, then any further issues (a write's validation warnings). */
export function informational(message: string, more: Issue[] = []): OperationOutcome {
  return toOperationOutcome([{ severity: 'information', code: 'informational', diagnostics: message }, ...more]);
}
