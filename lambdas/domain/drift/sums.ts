/** Compensated summation, so long sums stay within a few ulps of numpy's pairwise `np.sum`. */

/** Neumaier's improved Kahan–Babuška sum of `n` terms produced by `term(i)`. */
const neumaierSum = (n: number, term: (i: number) => number): number => {
  let sum = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const x = term(i);
    const t = sum + x;
    c += Math.abs(sum) >= Math.abs(x) ? sum - t + x : x - t + sum;
    sum = t;
  }
  return sum + c;
};

export { neumaierSum };
