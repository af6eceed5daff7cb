/**
 * Records of request parameters (name -> values). Parameter names are user input: in a plain
 * object `query['__proto__'] = v` sets the prototype instead of a key, so the parameter vanished
 * (and was never reported as unknown, even under strict handling). These records have no
 * prototype: every name, `__proto__` and `constructor` too, is an ordinary key.
 */
export type ParamRecord = Record<string, string[]>;

export function paramRecord(): ParamRecord {
  return Object.create(null) as ParamRecord;
}

/** The parameters of a query string, in order, repeats kept. */
export function paramsOf(queryString: string): ParamRecord {
  const out = paramRecord();
  for (const [k, v] of new URLSearchParams(queryString)) (out[k] ??= []).push(v);
  return out;
}
