/**
 * Runs a request's independent reads together, except inside a transaction: the driver does not
 * allow operations in parallel on one ClientSession (a transaction's reads would race its state),
 * so with a session they run one after the other, in the order given.
 */
export async function readsTogether<A, B>(session: unknown, a: () => Promise<A>, b: () => Promise<B>): Promise<[A, B]> {
  if (session === undefined) return Promise.all([a(), b()]);
  const first = await a();
  return [first, await b()];
}
