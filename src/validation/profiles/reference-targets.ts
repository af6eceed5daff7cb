import type { ElementDefinition } from '@medplum/fhirtypes';
import { elementAt } from '../element-model.js';
import { wrongTarget, type ContainedIds } from '../invariants/references.js';
import { igDefinitionType, stripVersion } from './ig-package.js';

/**
 * Reference targets a profile narrows an element to (`type.targetProfile`,
 * https://hl7.org/fhir/R4/elementdefinition-definitions.html#ElementDefinition.type.targetProfile):
 * MedicationRecommendation's Task.focus is Reference(MedicationStatement) where base R4 allows
 * any resource, GenomicStudy's Procedure.asserter leaves out Patient and RelatedPerson. Only the
 * resource type is judged, from the reference's URL or `type` (as layer 4 judges base R4's
 * targets, invariants/references.ts): a target profile on the same type (Variant for an
 * Observation) needs the referenced resource, which the validator does not have.
 */
export interface ReferenceTargets {
  /** Resource types the profile allows. */
  allowed: ReadonlySet<string>;
  /** What base R4 allows (undefined: any): a type outside it is layer 4's to report, once. */
  base: ReadonlySet<string> | undefined;
}

const CORE_SD = 'http://hl7.org/fhir/StructureDefinition/';

/** Issue.rule of the issues these targets raise: a transaction judges them again once its references are resolved (profiles/index.ts). */
export const TARGET_RULE = 'targetProfile';

/** The resource type a target profile constrains, or undefined when it is not known here (or any). */
function typeOf(targetProfile: string): string | undefined {
  const url = stripVersion(targetProfile);
  const type = url.startsWith(CORE_SD) ? url.slice(CORE_SD.length) : igDefinitionType(url);
  return type === 'Resource' ? undefined : type;
}

/** What base R4 allows at the element the profile constrains (`Task.focus`, `Extension.value[x]`). */
function baseTargets(e: ElementDefinition): ReadonlySet<string> | undefined {
  const [type, ...rest] = (e.base?.path ?? e.path ?? '').split('.');
  const segments = rest.map((s) => (s.endsWith('[x]') ? `${s.slice(0, -3)}Reference` : s));
  return segments.length ? elementAt(type, segments)?.targets : undefined;
}

/** The element's narrowed targets, or undefined when the profile allows what base R4 allows (or cannot be judged by type). */
export function referenceTargets(e: ElementDefinition): ReferenceTargets | undefined {
  const refs = (e.type ?? []).filter((t) => t.code === 'Reference');
  if (!refs.length) return undefined;
  const allowed = new Set<string>();
  for (const r of refs) {
    if (!r.targetProfile?.length) return undefined; // Reference(Any)
    for (const p of r.targetProfile) {
      const type = typeOf(p);
      if (type === undefined) return undefined;
      allowed.add(type);
    }
  }
  const base = baseTargets(e);
  if (base && [...base].every((t) => allowed.has(t))) return undefined; // not narrowed
  return { allowed, base };
}

/** The type a reference points at that the profile does not allow (and base R4 does), or undefined. */
export function disallowedTarget(targets: ReferenceTargets, ref: Record<string, unknown>, contained: ContainedIds): string | undefined {
  const wrong = wrongTarget(ref, targets.allowed, contained);
  return wrong !== undefined && (targets.base === undefined || targets.base.has(wrong)) ? wrong : undefined;
}

