import { fhirError } from '../errors.js';
import type { Issue } from '../outcome.js';
import { throwIfInvalid } from '../rest/validate-incoming.js';
import { typeDisagrees, wrongTarget } from '../../validation/invariants/references.js';
import { isConditionalReference, visitUrlSlots, type Slot } from '../../validation/url-slots.js';

/**
 * Reference rewriting inside a transaction (https://hl7.org/fhir/R4/http.html#trules): every
 * `urn:uuid:`/`urn:oid:` or server-relative full URL of an entry is replaced by the `Type/id` the
 * server assigned, and conditional references (`Patient?identifier=…`) by the one resource they
 * match. Only what the spec names is rewritten, found by type (../../validation/url-slots.ts):
 * Reference.reference, uri/url/oid/uuid/canonical elements and narrative links; a string that
 * happens to equal a fullUrl (a name, an identifier value, a valueString) is data and stays.
 */
/** Whether a Reference of `resource` is one of `urls` (a batch entry naming another entry's fullUrl). */
export function refersToAny(resource: unknown, urls: Set<string>, except?: string): string | undefined {
  let hit: string | undefined;
  visitUrlSlots(resource, (s) => {
    if (hit === undefined && s.kind === 'reference' && s.value !== except && urls.has(s.value)) hit = s.value;
  });
  return hit;
}

/**
 * The `reference` strings in a JSON Patch's values (what a PATCH entry would write). A patch value
 * is an untyped fragment, so the slots are found by name: `reference` is the one element of a
 * Reference (and of no other type) that holds one.
 */
export function patchReferences(ops: readonly unknown[]): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'reference' && typeof x === 'string') out.push(x);
        else walk(x);
      }
    }
  };
  for (const op of ops) if (op !== null && typeof op === 'object') walk((op as { value?: unknown }).value);
  return out;
}

/** Whether a JSON Patch's values hold a Reference to one of `urls` (a batch PATCH entry naming another entry's fullUrl). */
export function patchRefersToAny(ops: readonly unknown[], urls: Set<string>): string | undefined {
  return patchReferences(ops).find((r) => urls.has(r));
}

/** Distinct conditional references (`Type?criteria`) of `resource`, or of the values of a JSON Patch (`patch`). */
export function conditionalReferences(resource: unknown, patch?: readonly unknown[]): string[] {
  const out = new Set<string>();
  visitUrlSlots(resource, (s) => {
    if (s.kind === 'reference' && isConditionalReference(s.value)) out.add(s.value);
  });
  for (const r of patch ? patchReferences(patch) : []) if (isConditionalReference(r)) out.add(r);
  return [...out];
}

/**
 * Rewrites, in place, every link slot equal to a key of `map`. Throws when a `urn:` reference
 * names no entry, and when a rewritten Reference now points at a type its element does not allow
 * (or that its `type` contradicts): the validator could not tell what `urn:uuid:…` or
 * `Organization?name=…` stood for before they were resolved, so it is asked again here, with the
 * same words and status as for a direct write of that Reference. Every change is recorded in `log`.
 */
export function rewriteReferences(resource: unknown, map: Map<string, string>, log: RewriteLog): void {
  const issues: Issue[] = [];
  const set = (s: Slot, value: string): void => {
    if (value === s.value) return;
    log.push({ holder: s.holder as Record<string | number, unknown>, key: s.key, value: s.value });
    (s.holder as Record<string | number, unknown>)[s.key] = value;
  };
  visitUrlSlots(resource, (s) => {
    if (s.kind === 'xhtml') {
      if (s.value.includes('urn:')) set(s, narrativeLinks(s.value, map));
      return;
    }
    const hit = map.get(s.value);
    if (s.kind === 'uri') {
      // Relative `Type/id` and conditional keys name references only; full URLs any uri element.
      if (hit !== undefined && /^(urn|https?):/.test(s.value)) set(s, hit);
      return;
    }
    if (hit === undefined) {
      if (/^urn:(uuid|oid):/.test(s.value)) throw fhirError('BAD_REQUEST', `Reference ${s.value} is not the fullUrl of any entry in this Bundle`, `${s.path()}.reference`);
      return;
    }
    set(s, hit);
    const ref = s.ref!;
    const wrong = s.targets && wrongTarget(ref, s.targets);
    if (wrong) {
      const at = s.path();
      issues.push({ severity: 'error', code: 'structure', diagnostics: `${at} refers to a ${wrong} (${s.value} is ${hit}), which this element does not allow (Reference(${[...s.targets!].join(' | ')}))`, expression: [at] });
    }
    const clash = typeDisagrees(ref);
    if (clash) {
      const at = s.path();
      issues.push({ severity: 'error', code: 'invariant', diagnostics: `${at}.type says ${clash[1]} but its reference points at a ${clash[0]} (${s.value} is ${hit})`, expression: [`${at}.type`] });
    }
  });
  throwIfInvalid(issues);
}

/**
 * The slots a rewrite changed, each with the value it held before. The store may run a
 * transaction's work more than once (MongoDB retries it after a transient write conflict:
 * ResourceStore.transaction), and an attempt must rewrite the resources as posted, not as the
 * previous attempt left them (whose ids were never committed). The values are put back slot by
 * slot rather than by cloning the resources: their objects carry the kept text of decimals, keyed
 * by identity (../json-decimals.ts).
 */
export type RewriteLog = Array<{ holder: Record<string | number, unknown>; key: string | number; value: string }>;

/** Puts every slot of `log` back as it was before the rewrites (latest first) and empties it. */
export function undoRewrites(log: RewriteLog): void {
  for (let i = log.length - 1; i >= 0; i--) log[i].holder[log[i].key] = log[i].value;
  log.length = 0;
}

/**
 * Links to entries in a narrative (`<a href="urn:uuid:…">`), which the server SHALL rewrite as it
 * rewrites references (https://hl7.org/fhir/R4/http.html#trules): attribute values equal to an
 * entry's `urn:` fullUrl become the new `Type/id`.
 */
function narrativeLinks(div: string, map: Map<string, string>): string {
  return div.replace(/(["'])(urn:(?:uuid|oid):[^"']+)\1/g, (whole, q: string, urn: string) => {
    const hit = map.get(urn);
    return hit === undefined ? whole : `${q}${hit}${q}`;
  });
}
