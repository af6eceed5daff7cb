import type { Field } from './index-sink.js';

/**
 * Builds index documents as objects V8 keeps in fast mode. Assigning forty or fifty fields one by
 * one (`doc[name] = values`) turns an object into a hash table after about sixteen: each store
 * then costs a hash insert with rehashing as it grows, and JSON.stringify takes its slow path for
 * such objects (together ~6 µs of a Variant's index). Resources of one kind give documents of
 * the same fields in the same order, so per such shape (the sequence of field slots) a factory is
 * compiled, once the shape has come up FACTORY_AFTER times, that returns an object literal: one
 * allocation with a fixed hidden class. The generated source names the fields with
 * JSON.stringify'd string literals; field names are parameter codes and fixed suffixes, never
 * resource content.
 */
type Factory = (values: unknown[][]) => Record<string, unknown[]>;

interface Node {
  next: Map<number, Node> | undefined;
  seen: number;
  make: Factory | undefined;
}

const FACTORY_AFTER = 4;
/** Past this many factories or trie nodes, new shapes are built field by field (memory stays bounded). */
const MAX_FACTORIES = 512;
const MAX_NODES = 50_000;
let factories = 0;
let nodes = 0;
const root: Node = { next: undefined, seen: 0, make: undefined };

function compile(fields: Field[]): Factory | undefined {
  if (fields.some((f) => f.name === '__proto__')) return undefined; // a literal would set the prototype
  const body = fields.map((f, i) => `${JSON.stringify(f.name)}: v[${i}]`).join(',\n');
  return new Function('v', `return {\n${body}\n};`) as Factory;
}

/** The document with `fields[i]` holding `values[i]`, in that order. */
export function buildDocument(fields: Field[], values: unknown[][]): Record<string, unknown[]> {
  let node = root;
  for (let i = 0; i < fields.length; i++) {
    const id = fields[i].id;
    let next = node.next?.get(id);
    if (next === undefined) {
      if (factories >= MAX_FACTORIES || nodes >= MAX_NODES) return byField(fields, values);
      nodes++;
      next = { next: undefined, seen: 0, make: undefined };
      (node.next ??= new Map()).set(id, next);
    }
    node = next;
  }
  if (node.make) return node.make(values);
  if (++node.seen >= FACTORY_AFTER && factories < MAX_FACTORIES) {
    node.make = compile(fields) ?? ((v) => byField(fields.slice(), v));
    factories++;
    return node.make(values);
  }
  return byField(fields, values);
}

function byField(fields: Field[], values: unknown[][]): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (let i = 0; i < fields.length; i++) {
    const name = fields[i].name;
    if (name === '__proto__') Object.defineProperty(out, name, { value: values[i], enumerable: true, writable: true, configurable: true });
    else out[name] = values[i];
  }
  return out;
}
