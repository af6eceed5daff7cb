/**
 * SMART on FHIR scopes, v1 and v2 (https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html):
 *   v1  `system/Observation.read`, `patient/*.write`, `user/*.*`
 *   v2  `system/Observation.rs`, `patient/DiagnosticReport.cruds`
 * Both are parsed into one shape: a level, a resource type (or `*`) and a set of permission
 * letters c (create), r (read, vread), u (update, patch), d (delete), s (search, history).
 * v1 `read` = r+s, `write` = c+u+d, `*` = all. v2 scopes with a `?param=value` restriction are
 * ignored (not granted): this server cannot enforce the restriction, so refusing is the safe side.
 */
export type Level = 'system' | 'user' | 'patient';
export type Permission = 'c' | 'r' | 'u' | 'd' | 's';

export interface Scope {
  level: Level;
  /** A resource type or `*`. */
  resourceType: string;
  permissions: Set<Permission>;
  raw: string;
}

const SCOPE = /^(system|user|patient)\/([A-Za-z]+|\*)\.([a-z*]+)$/;
const V2 = /^c?r?u?d?s?$/;

export function parseScope(raw: string): Scope | undefined {
  const m = SCOPE.exec(raw);
  if (!m) return undefined;
  const [, level, resourceType, action] = m;
  let letters: string;
  if (action === 'read') letters = 'rs';
  else if (action === 'write') letters = 'cud';
  else if (action === '*') letters = 'cruds';
  else if (action.length > 0 && V2.test(action)) letters = action;
  else return undefined;
  return { level: level as Level, resourceType, permissions: new Set(letters.split('') as Permission[]), raw };
}

/** Splits a space-separated scope string (or an array, as some IdPs send `scp`), keeping only FHIR resource scopes. */
export function parseScopes(value: unknown): Scope[] {
  const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/\s+/) : [];
  const out: Scope[] = [];
  for (const s of list) {
    if (typeof s !== 'string') continue;
    const scope = parseScope(s);
    if (scope) out.push(scope);
  }
  return out;
}

/**
 * Whether one granted scope covers a requested one: same level, the granted type is `*` or the
 * same type, and every requested letter is granted. Used to compute the scopes a token gets as
 * the intersection of what a client asks for and what it is allowed.
 */
export function covers(granted: Scope, requested: Scope): boolean {
  if (granted.level !== requested.level) return false;
  if (granted.resourceType !== '*' && granted.resourceType !== requested.resourceType) return false;
  for (const p of requested.permissions) if (!granted.permissions.has(p)) return false;
  return true;
}

/**
 * The intersection of requested and allowed scopes, scope by scope: a requested scope is granted
 * as far as some allowed scope covers it, letters narrowed to what is allowed
 * (`system/*.rs` requested with `system/Observation.read` allowed yields `system/Observation.rs`).
 */
export function intersectScopes(requested: string[], allowed: string[]): string[] {
  const allowedScopes = parseScopes(allowed);
  const out = new Set<string>();
  for (const raw of requested) {
    const req = parseScope(raw);
    if (!req) continue;
    for (const a of allowedScopes) {
      if (a.level !== req.level) continue;
      let type: string | undefined;
      if (a.resourceType === '*') type = req.resourceType;
      else if (req.resourceType === '*' || req.resourceType === a.resourceType) type = a.resourceType;
      if (!type) continue;
      const letters = 'cruds'.split('').filter((p) => req.permissions.has(p as Permission) && a.permissions.has(p as Permission));
      if (!letters.length) continue;
      // Keep the client's own spelling when nothing was narrowed (v1 clients get v1 scopes back).
      out.add(type === req.resourceType && letters.length === req.permissions.size ? raw : `${req.level}/${type}.${letters.join('')}`);
    }
  }
  return [...out];
}
