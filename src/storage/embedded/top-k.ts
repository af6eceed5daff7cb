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

/**
 * The `k` first of `n` slots in `before` order, sorted: `smallest` for an exact answer, over a
 * typed array and without collecting the rest.
 */
export function firstSlots(slots: Int32Array, n: number, k: number, before: (a: number, b: number) => boolean): number[] {
  const heap: number[] = [];
  for (let j = 0; j < n; j++) {
    const it = slots[j];
    if (heap.length < k) {
      heap.push(it);
      for (let i = heap.length - 1; i > 0; ) {
        const p = (i - 1) >> 1;
        if (!before(heap[p], heap[i])) break;
        const x = heap[i];
        heap[i] = heap[p];
        heap[p] = x;
        i = p;
      }
    } else if (k > 0 && before(it, heap[0])) {
      heap[0] = it;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < k && before(heap[m], heap[l])) m = l;
        if (r < k && before(heap[m], heap[r])) m = r;
        if (m === i) break;
        const x = heap[i];
        heap[i] = heap[m];
        heap[m] = x;
        i = m;
      }
    }
  }
  return heap.sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
}

/** Per FHIR id character (`[A-Za-z0-9\-\.]`), its place in code-unit order, 1..64 (0: none). */
const ID_DIGIT = new Uint8Array(128);
[...'-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'].forEach((c, i) => (ID_DIGIT[c.charCodeAt(0)] = i + 1));

/**
 * A number that orders ids as their strings do wherever two numbers differ: the first eight
 * characters as base-65 digits (0 past the end, so a prefix comes first). Equal numbers say
 * nothing (compare the strings); NaN for an id with another character among its first eight.
 * Kept per slot in a typed array, so ordering thirty thousand candidates by id touches neither
 * their entries nor their strings.
 */
export function idOrderKey(id: string): number {
  let key = 0;
  for (let i = 0; i < 8; i++) {
    let d = 0;
    if (i < id.length) {
      const c = id.charCodeAt(i);
      d = c < 128 ? ID_DIGIT[c] : 0;
      if (d === 0) return NaN;
    }
    key = key * 65 + d;
  }
  return key;
}
