/**
 * The first index in [0, length) for which `before(index)` is false, where `before` is true for a prefix
 * of the indexes and false after it (a sorted list searched by position): `length` when it is true for all.
 *
 * @example partitionPoint(starts.length, (i) => starts[i]! < at); // the first start at or after `at`
 */
export function partitionPoint(length: number, before: (index: number) => boolean): number {
  let low = 0;
  let high = length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (before(middle)) low = middle + 1;
    else high = middle;
  }
  return low;
}
