import { AA, ACCESSION, codingEntry, COORDINATES, DNA, foldedDisplay, GENE, joins, RANGE, type CodingEntry } from './coding-cache.js';
import { fileComponent, type ComponentTable } from '../genomics/operations/component-codes.js';
import { geneticsFromComponents, type GeneticComponents } from './genomics-params.js';
import { fieldOf, ListSink, ObjectSink, type Field, type ValueSink } from './index-sink.js';
import { compositePart, keysOf, quantityValues, tokenValues, type IndexEntries } from './index-values.js';
import { foldText } from './shared-strings.js';

/**
 * A hand-compiled indexer for Observation components. A Genomics Reporting Variant carries a
 * dozen coded components, and six R4 parameters read them (component-code, -value-concept,
 * -value-quantity, -data-absent-reason and the two code/value composites), as do the genetics
 * parameters (genomics-params.ts); walking the components once for all of them, instead of once
 * per FHIRPath expression, is what lets a million variants load at tens of thousands per second.
 * Semantics are those of the R4 expressions (https://hl7.org/fhir/R4/observation.html#search),
 * checked against the generic path in tests. A component coded with one coding and answered with
 * one coding (all of a Variant's) takes a short path through the coding cache (coding-cache.ts).
 */
export interface GroupIndexer {
  codes: string[];
  run: (r: Record<string, unknown>, out: ValueSink) => void;
}

type Comp = Record<string, unknown> & { code?: unknown; dataAbsentReason?: unknown };
type Coding = { system?: unknown; code?: unknown; display?: unknown };
type Concept = { coding?: Coding[]; text?: unknown };

const GENETIC = ['gene-identifier', 'dna-variant', 'amino-acid-change', 'gene-dnavariant', 'gene-amino-acid-change', 'genomic-region'] as const;

const CODE = keysOf('component-code');
const ABSENT = keysOf('component-data-absent-reason');
const CONCEPT = keysOf('component-value-concept');
const QUANTITY = keysOf('component-value-quantity');
const CODE_CONCEPT = fieldOf('component-code-value-concept');
const CODE_QUANTITY = fieldOf('component-code-value-quantity');
const V = keysOf('v');

/**
 * Values of one field, deduped: `includes` while short (its strings are mostly interned), a Set
 * past that. Reused from one resource to the next (reset), its list handed to the sink at the end.
 */
class Values {
  list: unknown[] | undefined;
  private seen: Set<unknown> | undefined;
  constructor(private readonly field: Field) {}

  reset(): void {
    this.list = undefined;
    this.seen = undefined;
  }

  add(out: ValueSink, v: unknown): void {
    const list = this.list;
    if (list === undefined) {
      out.touch(this.field); // first written here: the field order of the generic path
      this.list = [v];
      return;
    }
    if (typeof v === 'object' && v !== null) {
      // objects are kept every time
    } else if (list.length < 64) {
      if (list.includes(v)) return;
    } else {
      if (this.seen === undefined) this.seen = new Set(list);
      if (this.seen.has(v)) return;
      this.seen.add(v);
    }
    list.push(v);
  }

  addAll(out: ValueSink, vs: unknown[] | undefined): void {
    if (vs) for (let i = 0; i < vs.length; i++) this.add(out, vs[i]);
  }

  /** Marks the field written (an empty composite field, as the generic path leaves one). */
  touch(out: ValueSink): void {
    if (this.list === undefined) {
      out.touch(this.field);
      this.list = [];
    }
  }

  finish(out: ValueSink): void {
    if (this.list?.length) out.set(this.field, this.list);
    this.reset();
  }
}

/** The one coding of a CodeableConcept coded once with a string code (all a Variant has), else undefined. */
function soleCoding(v: unknown): Coding | undefined {
  const coding = (v as Concept | null)?.coding;
  if (!Array.isArray(coding) || coding.length !== 1 || typeof v !== 'object') return undefined;
  const cd = coding[0];
  return cd !== null && typeof cd === 'object' && typeof cd.code === 'string' ? cd : undefined;
}

/** A sole coding's token values: `system|code`, `code`, then the folded display and text. */
function soleTokens(out: ValueSink, v: Concept, cd: Coding, k: Values, t: Values): CodingEntry {
  const e = codingEntry(cd.system, cd.code as string);
  k.add(out, e.token);
  k.add(out, e.code);
  if (typeof cd.display === 'string' && cd.display) t.add(out, foldedDisplay(e, cd.display));
  if (typeof v.text === 'string') t.add(out, foldText(v.text));
  return e;
}

function addLocal(list: unknown[], v: unknown): void {
  if (!list.includes(v)) list.push(v);
}

/** tokenValues of a component's code or answer into fresh lists (deduped within them): [codes, texts, of-type]. */
function tokensOf(v: unknown, type: string | undefined): [unknown[], unknown[], unknown[] | undefined] {
  const o = v as Concept;
  if (o !== null && typeof o === 'object' && (Array.isArray(o.coding) || 'text' in o)) {
    const k: unknown[] = [];
    const t: unknown[] = [];
    for (const c of o.coding ?? []) {
      const code = c.code;
      if (typeof code === 'string' || typeof code === 'number' || typeof code === 'boolean') {
        const e = codingEntry(c.system, typeof code === 'string' ? code : String(code));
        addLocal(k, e.token);
        addLocal(k, e.code);
        if (typeof c.display === 'string' && c.display) addLocal(t, foldedDisplay(e, c.display));
      } else if (typeof c.display === 'string' && c.display) addLocal(t, foldText(c.display));
    }
    if (typeof o.text === 'string') addLocal(t, foldText(o.text));
    return [k, t, undefined];
  }
  const local: IndexEntries = {};
  tokenValues(new ObjectSink(local, ''), V, v, type); // (tokens: no references, no base)
  return [local.v ?? [], local.v__t ?? [], local.v__ot];
}

function file(g: GeneticComponents, c: Comp, bits: number): void {
  if (bits & GENE) (g.gene ??= []).push(c);
  if (bits & DNA) (g.dna ??= []).push(c);
  if (bits & AA) (g.aa ??= []).push(c);
  if (bits & ACCESSION) (g.acc ??= []).push(c);
  if (bits & COORDINATES) (g.coord ??= []).push(c);
  if (bits & RANGE) (g.range ??= []).push(c);
}

/** Files a component under the genetics codes its code carries (genomics-params.ts reads them). */
function classify(c: Comp, g: GeneticComponents): void {
  const coding = (c.code as { coding?: unknown } | null | undefined)?.coding;
  if (coding === undefined || coding === null) return;
  if (!Array.isArray(coding)) {
    g.unreadable = true;
    return;
  }
  let bits = 0;
  for (const cd of coding as Array<{ code?: unknown } | null>) {
    if (cd === null || cd === undefined) g.unreadable = true;
    else if (typeof cd.code === 'string') {
      const e = codingEntry('', cd.code);
      bits |= e.genetic;
      if (e.gx >= 0) fileComponent(g.gx, e.gx, c);
    }
  }
  file(g, c, bits);
}

/** The component fields whose values are deduped here (the others go straight to the sink). */
class ComponentFields {
  readonly code = new Values(CODE.k);
  readonly codeText = new Values(CODE.t);
  readonly codeOt = new Values(CODE.ot);
  readonly concept = new Values(CONCEPT.k);
  readonly conceptText = new Values(CONCEPT.t);
  readonly conceptOt = new Values(CONCEPT.ot);
  readonly composite = new Values(CODE_CONCEPT);
  private readonly all = [this.code, this.codeText, this.codeOt, this.concept, this.conceptText, this.conceptOt, this.composite];

  reset(): void {
    for (const v of this.all) v.reset();
  }

  finish(out: ValueSink): void {
    for (const v of this.all) v.finish(out);
  }
}
/** One set, reused: an Observation's components are indexed to the end before the next's. */
const fields = new ComponentFields();

function observationComponents(r: Record<string, unknown>, out: ValueSink): void {
  const comps = r.component as Comp[] | undefined;
  const genetic: GeneticComponents = { unreadable: false, gx: [] };
  const f = fields;
  f.reset();
  filed = undefined;
  try {
    if (Array.isArray(comps)) for (const c of comps) component(c, out, f, genetic);
  } finally {
    // What was found before an unreadable component stays indexed, as with one field at a time.
    f.finish(out);
  }
  // Odd shapes: genomic-index.ts files the components itself (and fails on them as it always did).
  if (!genetic.unreadable && (Array.isArray(comps) || comps === undefined)) filed = { resource: r, table: genetic.gx };
  geneticsFromComponents(r, out, genetic);
}

/** The components of the Observation last indexed, filed for the gx-* fields (component-codes.ts). */
let filed: { resource: object; table: ComponentTable } | undefined;

/** The component table of `r` if it was the Observation just indexed (taken: asked for once). */
export function takeComponentTable(r: object): ComponentTable | undefined {
  const f = filed;
  filed = undefined;
  return f?.resource === r ? f.table : undefined;
}

function component(c: Comp, out: ValueSink, f: ComponentFields, genetic: GeneticComponents): void {
  // The code's values: its coding entry when coded once, else the generic token values.
  let codeEntry: CodingEntry | undefined;
  let codes: unknown[] | undefined;
  // Each element a parameter's expression selects makes it present, whatever it gives (`:missing`,
  // index-sink.ts present): a code or answer with a text only, a SampledData answer.
  if (c.code) out.present(CODE);
  if (c.dataAbsentReason) out.present(ABSENT);
  if (c.valueCodeableConcept) out.present(CONCEPT);
  // component-value-quantity is `(… as Quantity) | (… as SampledData)`: a SampledData gives no value
  if (c.valueQuantity || c.valueSampledData) out.present(QUANTITY);
  if (c.code) {
    const cd = soleCoding(c.code);
    if (cd) {
      codeEntry = soleTokens(out, c.code as Concept, cd, f.code, f.codeText);
      if (codeEntry.genetic) file(genetic, c, codeEntry.genetic);
      if (codeEntry.gx >= 0) fileComponent(genetic.gx, codeEntry.gx, c);
    } else {
      classify(c, genetic);
      const [k, t, ot] = tokensOf(c.code, undefined);
      f.code.addAll(out, k);
      f.codeText.addAll(out, t);
      f.codeOt.addAll(out, ot);
      if (k.length) codes = k;
    }
  } else classify(c, genetic);
  if (c.dataAbsentReason) tokenValues(out, ABSENT, c.dataAbsentReason, undefined);
  const vcc = c.valueCodeableConcept;
  if (vcc) {
    const vd = soleCoding(vcc);
    let valueEntry: CodingEntry | undefined;
    let values: unknown[] | undefined;
    if (vd) valueEntry = soleTokens(out, vcc as Concept, vd, f.concept, f.conceptText);
    else {
      const [k, t, ot] = tokensOf(vcc, 'CodeableConcept');
      f.concept.addAll(out, k);
      f.conceptText.addAll(out, t);
      f.conceptOt.addAll(out, ot);
      values = k;
    }
    if (codeEntry || codes) {
      f.composite.touch(out);
      // Token$token composites are stored as joined strings (every form combination).
      if (codeEntry && valueEntry) f.composite.addAll(out, joins(codeEntry, valueEntry));
      else {
        for (const x of codes ?? [codeEntry!.token, codeEntry!.code]) {
          if (typeof x !== 'string') continue;
          for (const y of values ?? [valueEntry!.token, valueEntry!.code]) if (typeof y === 'string') f.composite.add(out, `${compositePart(x)}$${compositePart(y)}`);
        }
      }
    }
  } else if (c.valueQuantity) {
    quantityValues(out, QUANTITY, c.valueQuantity);
    const q = new ListSink(V.k, out.ownBase);
    quantityValues(q, V, c.valueQuantity);
    if ((codeEntry || codes) && q.values.length) out.add(CODE_QUANTITY, { c0: codes ?? [codeEntry!.token, codeEntry!.code], c1: q.values });
  }
}

export const GROUP_INDEXERS: Record<string, GroupIndexer> = {
  Observation: {
    codes: [
      'component-code', 'component-data-absent-reason', 'component-value-concept', 'component-value-quantity',
      'component-code-value-concept', 'component-code-value-quantity', ...GENETIC,
    ],
    run: observationComponents,
  },
};
