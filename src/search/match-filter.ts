import { Context } from 'mingo/core';
import * as queryOperators from 'mingo/operators/query';
import { Query as BaseQuery } from 'mingo/query';

/**
 * Runs a compiled MongoDB filter document in memory (the embedded store, the built-in
 * definitions, MongoDB's staged writes), with mingo's query operators only. mingo's main entry
 * loads every operator family (aggregation, expressions, windows: about 120 modules) before the
 * first request, and start-up paid for them; our filters use query operators alone (queries.ts
 * refuses `$expr`, `$where` and `$function`), and a cursor's sort is mingo's own `$sort`.
 */
const CONTEXT = Context.init({ query: queryOperators });

export class Query extends BaseQuery {
  constructor(condition: Record<string, unknown>) {
    super(condition, { context: CONTEXT });
  }
}

export function find<T>(docs: T[], condition: Record<string, unknown>) {
  return new Query(condition).find<T>(docs);
}
