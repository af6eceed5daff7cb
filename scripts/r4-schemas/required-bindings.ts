import { officialStructures, ownerDefinition } from './element-model.js';
import type { ValueSetExpander } from './value-sets.js';

/**
 * The HL7 R4 schema inlines an `enum` only for the required bindings whose value set is not shared
 * between resources (Observation.status has one, Procedure.status, bound to the shared
 * event-status, has none), so about a third of the required-bound `code` elements took any code.
 * This adds the `enum` to every `code` element with a required binding whose value set expands
 * statically (./value-sets.ts). Where the schema already has one, the expansion must agree with it:
 * that keeps the expander honest against HL7's own lists.
 */
type Schema = Record<string, unknown>;
const CODE_REF = '#/definitions/code';

export interface BindingReport {
  /** element paths (Procedure.status) given an enum here */
  inlined: string[];
  /** required-bound code elements that already had an enum, and the expansion agreed with it */
  agreed: number;
  /** element path → value set, left unchecked: the value set does not expand statically */
  unexpandable: Record<string, string>;
}

const sameSet = (a: unknown[], b: unknown[]): boolean => a.length === b.length && new Set([...a, ...b]).size === a.length;

export function inlineRequiredBindings(defs: Record<string, Schema>, expander: ValueSetExpander): BindingReport {
  const report: BindingReport = { inlined: [], agreed: 0, unexpandable: {} };
  for (const sd of officialStructures()) {
    if (!defs[sd.name]) continue;
    for (const e of sd.snapshot?.element ?? []) {
      const b = e.binding;
      if (b?.strength !== 'required' || !b.valueSet || e.type?.length !== 1 || e.type[0]!.code !== 'code') continue;
      const segments = e.path.split('.');
      const owner = ownerDefinition(defs, sd.name, segments);
      const name = segments.at(-1)!;
      const prop = owner?.props[name];
      if (!prop) continue; // a Medplum snapshot element that R4 does not have (see element-model.ts)
      const codes = expander.expand(b.valueSet);
      // a repeating primitive's items are `anyOf: [the type, null]` by now (reduce-schema.ts)
      const items = prop.items as Schema | undefined;
      const slot = prop.type === 'array' ? ((items?.anyOf as Schema[] | undefined) ?? [items!]) : [prop];
      const single = slot[0]!;
      if (Array.isArray(single.enum)) {
        if (!codes || !sameSet(codes, single.enum)) throw new Error(`${e.path}: ${b.valueSet} expands to ${codes?.join(',') ?? 'nothing'}, the HL7 schema says ${single.enum.join(',')}`);
        report.agreed++;
        continue;
      }
      if (!codes) {
        report.unexpandable[e.path] = b.valueSet.split('|')[0]!;
        continue;
      }
      if (single.$ref === CODE_REF) {
        if (prop.type !== 'array') owner!.props[name] = { enum: codes };
        else if (items?.anyOf) slot[0] = { enum: codes };
        else prop.items = { enum: codes };
      }
      else throw new Error(`${e.path}: a code element with an unexpected schema shape ${JSON.stringify(prop)}`);
      report.inlined.push(e.path);
    }
  }
  return report;
}
