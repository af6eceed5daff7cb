/**
 * The `k` first items of `items` in `before` order (sorted), and the others (any order): a max-heap
 * of size k over one pass, so most items cost one comparison with the heap's top.
 */
export function smallest<T>(items: T[], k: number, before: (a: T, b: T) => boolean): [T[], T[]] {
  if (items.length <= k) return [[...items].sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0)), []];
  const heap: T[] = [];
  const others: T[] = [];
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && before(heap[m], heap[l])) m = l;
      if (r < heap.length && before(heap[m], heap[r])) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m], heap[i]];
      i = m;
    }
  };
  for (const it of items) {
    if (heap.length < k) {
      heap.push(it);
      for (let i = heap.length - 1; i > 0;) {
        const p = (i - 1) >> 1;
        if (!before(heap[p], heap[i])) break;
        [heap[i], heap[p]] = [heap[p], heap[i]];
        i = p;
      }
    } else if (before(it, heap[0])) {
      others.push(heap[0]);
      heap[0] = it;
      down(0);
    } else others.push(it);
  }
  return [heap.sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0)), others];
}
