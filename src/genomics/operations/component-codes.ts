/**
 * The Observation component codes genomic-index.ts reads, each with a slot number: the search
 * indexer files an Observation's components by these slots as it walks them for the search
 * parameters (src/search/observation-components.ts), and hands the table over, so the components
 * are not walked and filed a second time for the gx-* fields.
 */
export const GX_COMPONENT_CODES = [
  '48002-0', '48018-6', '51963-7', 'associated-therapy', '81259-4', 'feature-consequence', '81290-9', '48004-6', '48005-3',
  '81252-9', '48013-7', '62374-4', '48000-4', '92822-6', '69547-8', '69551-0', '81254-5', '81301-4', '81302-2', '48019-4',
] as const;

export type GxComponentCode = (typeof GX_COMPONENT_CODES)[number];

const SLOTS = new Map<string, number>(GX_COMPONENT_CODES.map((c, i) => [c, i]));

/** The slot of a component code, or -1 for a code genomic-index.ts does not read. */
export function gxSlot(code: unknown): number {
  return typeof code === 'string' ? SLOTS.get(code) ?? -1 : -1;
}

/** An Observation's components by slot, each component once per slot, in component order. */
export type ComponentTable<C = unknown> = Array<C[] | undefined>;

/** Files component `c` under `slot` (once, however many of its codings carry the code). */
export function fileComponent<C>(table: ComponentTable<C>, slot: number, c: C): void {
  const list = table[slot];
  if (list === undefined) table[slot] = [c];
  else if (list[list.length - 1] !== c) list.push(c);
}
