import type { ErrorObject } from 'ajv';
import type { Issue } from '../fhir/outcome.js';
import { emptyString } from './invariants/empty-element.js';
import { defInfo, elementAt } from './element-model.js';
import { pointerSegments, toExpression } from './expression.js';

/**
 * Turns ajv errors into Issues a human can act on: FHIRPath expressions, the element or value
 * named, one issue per problem. IssueType codes (https://hl7.org/fhir/R4/valueset-issue-type.html):
 * `structure` unknown element / wrong JSON type, `required` missing element, `value` bad value.
 */
const PRIMITIVE_RULES: Record<string, string> = {
  id: "letters, digits, '-' and '.', 1 to 64 characters",
  date: 'YYYY, YYYY-MM or YYYY-MM-DD',
  dateTime: 'YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss+zz:zz',
  instant: 'YYYY-MM-DDThh:mm:ss(.sss)+zz:zz, with a time zone',
  time: 'hh:mm:ss',
  code: 'no leading, trailing or double whitespace',
  uri: 'no whitespace',
  url: 'no whitespace',
  canonical: 'no whitespace',
  base64Binary: 'base64',
  xhtml: 'a <div> element',
};

function valueAt(root: unknown, segments: readonly string[]): unknown {
  let node = root;
  for (const s of segments) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[s];
  }
  return node;
}

function show(value: unknown): string {
  const text = typeof value === 'string' ? `'${value}'` : JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function jsonKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function expectedKind(ajvType: string, fhirType: string | undefined): string {
  if (ajvType === 'array') return 'an array';
  if (ajvType === 'object') return fhirType && !fhirType.includes('_') ? `an object (${fhirType})` : 'an object';
  if (ajvType === 'integer') return 'an integer';
  return `a ${ajvType}${fhirType && fhirType !== ajvType ? ` (${fhirType})` : ''}`;
}

/** `value` written for a choice element: say how it is spelled (https://hl7.org/fhir/R4/formats.html#choice). */
function choiceHint(def: string | undefined, name: string): string {
  const members = def ? defInfo(def)?.choices.find(([prefix]) => prefix === name)?.[1] : undefined;
  if (!members) return '';
  const list = members.length > 6 ? `${members.slice(0, 6).join(', ')}, …` : members.join(', ');
  return ` (${name}[x] is written with its type: ${list})`;
}

function toIssue(e: ErrorObject, resourceType: string, root: string, resource: unknown): Issue | undefined {
  const segments = pointerSegments(e.instancePath);
  const at = toExpression(root, segments);
  const value = valueAt(resource, segments);
  const fhirType = elementAt(resourceType, segments)?.type;
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const hint = choiceHint(segments.length ? fhirType : resourceType, name);
      return { severity: 'error', code: 'structure', diagnostics: `Unknown element '${name}' in ${at}${hint}`, expression: [`${at}.${name}`] };
    }
    case 'required': {
      const name = String(params.missingProperty);
      return { severity: 'error', code: 'required', diagnostics: `Missing required element '${name}' in ${at}`, expression: [`${at}.${name}`] };
    }
    case 'type': {
      if (params.type === 'null') return undefined; // the "or null" branch of repeating primitives
      const element = at;
      return { severity: 'error', code: 'structure', diagnostics: `${element} must be ${expectedKind(String(params.type), fhirType)}, not ${jsonKind(value)}`, expression: [at] };
    }
    case 'pattern': {
      if (value === '') return emptyString(at);
      const rule = fhirType ? PRIMITIVE_RULES[fhirType] : undefined;
      const what = fhirType ? `a valid ${fhirType}` : 'valid';
      return { severity: 'error', code: 'value', diagnostics: `${show(value)} is not ${what}${rule ? ` (${rule})` : ''} at ${at}`, expression: [at] };
    }
    case 'enum': {
      // '' is no code at all: ele-1 says what is wrong, as for the elements checked by a pattern
      if (value === '') return emptyString(at);
      // a null, number, object … is no code at all: a wrong JSON type, as any other primitive words it (the enum stands in for the type)
      if (typeof value !== 'string') return { severity: 'error', code: 'structure', diagnostics: `${at} must be ${expectedKind('string', fhirType ?? 'code')}, not ${jsonKind(value)}`, expression: [at] };
      const allowed = (params.allowedValues as unknown[]).map(String);
      const list = allowed.length > 12 ? `${allowed.slice(0, 12).join(', ')}, …` : allowed.join(', ');
      return { severity: 'error', code: 'value', diagnostics: `${show(value)} is not a valid code for ${at} (required binding: ${list})`, expression: [at] };
    }
    case 'const':
      if (value === '') return emptyString(at);
      return { severity: 'error', code: 'value', diagnostics: `${at} must be ${show(params.allowedValue)}, not ${show(value)}`, expression: [at] };
    case 'minimum':
    case 'maximum':
      return { severity: 'error', code: 'value', diagnostics: `${show(value)} is out of range for ${fhirType ?? 'this element'} at ${at} (${e.keyword} ${String(params.limit)})`, expression: [at] };
    case 'anyOf':
    case 'oneOf':
      return undefined; // the branch errors say what is wrong
    default:
      return { severity: 'error', code: 'invalid', diagnostics: `${at} is invalid (${e.keyword})`, expression: [at] };
  }
}

/** ajv errors → Issues, duplicates removed (ajv may report one problem from several branches). */
export function ajvErrorsToIssues(errors: readonly ErrorObject[], resourceType: string, root: string, resource: unknown): Issue[] {
  const seen = new Set<string>();
  const out: Issue[] = [];
  for (const e of errors) {
    const issue = toIssue(e, resourceType, root, resource);
    if (!issue) continue;
    const key = `${issue.expression?.[0] ?? ''}|${issue.diagnostics}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(issue);
  }
  return out;
}
