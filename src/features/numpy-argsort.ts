/**
 * numpy's default `argsort` (kind="quicksort": an introsort that is not stable), step for step, so
 * that ties are broken exactly as in scikit-learn. CountVectorizer(max_features=k) keeps
 * `(-tfs[mask]).argsort()[:k]`, so which of several equally frequent terms make the cut depends on
 * this algorithm: median-of-3 quicksort down to 16 elements, insertion sort below, heapsort once the
 * depth budget of 2·floor(log2 n) is spent (numpy/core/src/npysort/quicksort.cpp, aquicksort_, and
 * heapsort.cpp, aheapsort_, numpy 1.24; float64 and int64 keys take this generic path there).
 */

const SMALL_QUICKSORT = 15;

function msb(n: number): number {
  let depth = 0;
  while ((n = Math.floor(n / 2)) > 0) depth++;
  return depth;
}

/** Heap sort of t[pl .. pl + n) by v (numpy's aheapsort_, whose heap is 1-based). */
function heapsort(v: ArrayLike<number>, t: Int32Array, pl: number, n: number): void {
  const a = pl - 1; // a[i] is t[a + i]
  for (let l = n >> 1; l > 0; --l) {
    const tmp = t[a + l]!;
    let i = l;
    for (let j = l << 1; j <= n;) {
      if (j < n && v[t[a + j]!]! < v[t[a + j + 1]!]!) j += 1;
      if (v[tmp]! < v[t[a + j]!]!) {
        t[a + i] = t[a + j]!;
        i = j;
        j += j;
      } else break;
    }
    t[a + i] = tmp;
  }
  for (; n > 1;) {
    const tmp = t[a + n]!;
    t[a + n] = t[a + 1]!;
    n -= 1;
    let i = 1;
    for (let j = 2; j <= n;) {
      if (j < n && v[t[a + j]!]! < v[t[a + j + 1]!]!) j++;
      if (v[tmp]! < v[t[a + j]!]!) {
        t[a + i] = t[a + j]!;
        i = j;
        j += j;
      } else break;
    }
    t[a + i] = tmp;
  }
}

/** Indices that sort `v` ascending, identical to `numpy.argsort(v)` for NaN-free numeric arrays. */
export function numpyArgsort(v: ArrayLike<number>): Int32Array {
  const num = v.length;
  const t = new Int32Array(num);
  for (let i = 0; i < num; i++) t[i] = i;
  if (num < 2) return t;
  const swap = (x: number, y: number): void => {
    const s = t[x]!;
    t[x] = t[y]!;
    t[y] = s;
  };
  let pl = 0;
  let pr = num - 1;
  const stack: number[] = [];
  const depthStack: number[] = [];
  let cdepth = msb(num) * 2;
  for (;;) {
    if (cdepth < 0) {
      heapsort(v, t, pl, pr - pl + 1);
    } else {
      while (pr - pl > SMALL_QUICKSORT) {
        const pm = pl + ((pr - pl) >> 1);
        if (v[t[pm]!]! < v[t[pl]!]!) swap(pm, pl);
        if (v[t[pr]!]! < v[t[pm]!]!) swap(pr, pm);
        if (v[t[pm]!]! < v[t[pl]!]!) swap(pm, pl);
        const vp = v[t[pm]!]!;
        let pi = pl;
        let pj = pr - 1;
        swap(pm, pj);
        for (;;) {
          do ++pi;
          while (v[t[pi]!]! < vp);
          do --pj;
          while (vp < v[t[pj]!]!);
          if (pi >= pj) break;
          swap(pi, pj);
        }
        swap(pi, pr - 1);
        // push the larger partition, continue with the smaller
        if (pi - pl < pr - pi) {
          stack.push(pi + 1, pr);
          pr = pi - 1;
        } else {
          stack.push(pl, pi - 1);
          pl = pi + 1;
        }
        depthStack.push(--cdepth);
      }
      for (let pi = pl + 1; pi <= pr; ++pi) {
        const vi = t[pi]!;
        const vp = v[vi]!;
        let pj = pi;
        while (pj > pl && vp < v[t[pj - 1]!]!) {
          t[pj] = t[pj - 1]!;
          pj--;
        }
        t[pj] = vi;
      }
    }
    if (stack.length === 0) break;
    pr = stack.pop()!;
    pl = stack.pop()!;
    cdepth = depthStack.pop()!;
  }
  return t;
}
