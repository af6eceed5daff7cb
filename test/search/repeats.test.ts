import t from 'tap';
import type { FastifyInstance } from 'fastify';
import { send, testApp } from '../fhir/helpers.js';
import { searchIndexesOf } from '../../src/storage/embedded/search-indexes.js';

// Many repeats of one date parameter (each an AND clause, search.html#combining): the embedded
// planner intersects their windows; 25 repeats of a two-window clause used to be 2^25 windows
// (the process ran out of memory on a 365-character query). The planner's work is counted (windows
// intersected), not timed: a count does not flake on a loaded machine and shows the exponential.
t.test('dozens of repeats of a date parameter answer right, with work linear in the repeats', async (t) => {
  const app = await testApp(t);
  await send(app, 'PUT', '/fhir/Patient/p1', { resourceType: 'Patient', id: 'p1', birthDate: '1950-06-01' });
  await send(app, 'PUT', '/fhir/Patient/p2', { resourceType: 'Patient', id: 'p2', birthDate: '1975-06-01' });
  const ids = async (q: string) => ((await send(app, 'GET', `/fhir/Patient?${q}&_sort=_id`)).json().entry ?? []).map((e: { resource: { id: string } }) => e.resource.id);
  const repeats = (n: number) => Array.from({ length: n }, () => 'birthdate=ge1900').join('&');
  // `ge` on a date is a union of two windows. The cross product of 16 repeats is 2^16 windows
  // (131,068 intersections); deduplicated and capped at 64 windows a step, at most 15 × 64 × 2.
  const w16 = await windows(app, () => ids(repeats(16)));
  t.ok(w16 > 0 && w16 <= 15 * 64 * 2, `16 repeats: ${w16} windows intersected (the cross product: 131,068)`);
  const w8 = await windows(app, () => ids(repeats(8)));
  t.ok(w16 <= 3 * w8, `twice the repeats, about twice the work: ${w16} vs ${w8} (the cross product: 256 times)`);
  const many = repeats(40);
  const w40 = await windows(app, async () => {
    t.same(await ids(many), ['p1', 'p2']);
    t.same(await ids(`${many}&birthdate=lt1960`), ['p1']);
    t.same(await ids(`${many}&birthdate=lt1960&birthdate=gt1960`), [], 'contradictory windows: nothing');
    t.same(await ids(Array.from({ length: 30 }, (_, i) => `birthdate=${i % 2 ? 'ge' : 'le'}19${50 + i}`).join('&')), [], 'windows that narrow to nothing');
    t.same(await ids('birthdate=ge1950&birthdate=le1950-06-01&birthdate=ne1951'), ['p1']);
  });
  t.ok(w40 <= 5 * 42 * 64 * 2, `five queries of up to 42 repeats: ${w40} windows intersected`);
});

/** Windows the embedded planner intersected while `run` ran. */
async function windows(app: FastifyInstance, run: () => Promise<unknown>): Promise<number> {
  const stats = searchIndexesOf(app.store).stats;
  const before = stats.planWindows;
  await run();
  return stats.planWindows - before;
}
