/**
 * How far a vector is from a reference, judged on the reference's scale: max |a - b| over the
 * entries divided by max |b| (entries near zero are not judged on their own tiny size).
 */
export function relativeMaxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let m = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    m = Math.max(m, Math.abs(b[i]));
  }
  return d / m;
}
