/**
 * Special functions for drift p-values: the normal CDF and the chi-squared survival function,
 * ported from the Cephes Math Library (Stephen L. Moshier), as scipy.special ships it
 * (scipy/special/cephes/ndtr.c, igam.c, gamma.c).
 */

/** Parses published coefficients digit for digit (more digits than a double keeps, as in the source). */
const coefficients = (digits: string): number[] => digits.trim().split(/\s+/).map(Number);

const MACHEP = Number('1.11022302462515654042e-16');
const MAXLOG = Number('7.09782712893383996843e2');
const BIG = 4.503599627370496e15;
const BIG_INV = Number('2.22044604925031308085e-16');

const polevl = (x: number, coef: readonly number[]): number => {
  let ans = coef[0] as number;
  for (let i = 1; i < coef.length; i++) ans = ans * x + (coef[i] as number);
  return ans;
};
/** polevl with an implicit leading coefficient 1. */
const p1evl = (x: number, coef: readonly number[]): number => {
  let ans = x + (coef[0] as number);
  for (let i = 1; i < coef.length; i++) ans = ans * x + (coef[i] as number);
  return ans;
};

const ERFC_P = coefficients(`
  2.46196981473530512524e-10 5.64189564831068821977e-1 7.46321056442269912687
  4.86371970985681366614e1 1.96520832956077098242e2 5.26445194995477358631e2
  9.3452852717195760754e2 1.02755188689515710272e3 5.57535335369399327526e2
`);
const ERFC_Q = coefficients(`
  1.32281951154744992508e1 8.67072140885989742329e1 3.54937778887819891062e2
  9.75708501743205489753e2 1.82390916687909736289e3 2.24633760818710981792e3
  1.65666309194161350182e3 5.57535340817727675546e2
`);
const ERFC_R = coefficients(`
  5.64189583547755073984e-1 1.27536670759978104416 5.01905042251180477414
  6.16021097993053585195 7.4097426995044893916 2.9788666537210024067
`);
const ERFC_S = coefficients(`
  2.2605286322011727659 9.39603524938001434673 1.20489539808096656605e1
  1.70814450747565897222e1 9.60896809063285878198 3.3690764510008151605
`);
const ERF_T = coefficients(`
  9.60497373987051638749 9.00260197203842689217e1 2.23200534594684319226e3
  7.00332514112805075473e3 5.55923013010394962768e4
`);
const ERF_U = coefficients(`
  3.35617141647503099647e1 5.21357949780152679795e2 4.59432382970980127987e3
  2.26290000613890934246e4 4.92673942608635921086e4
`);

/** The error function (Cephes `erf`, relative error ≤ 3.7e-16 on [0, 1]). */
const erf = (x: number): number => {
  if (Number.isNaN(x)) return Number.NaN;
  if (x < 0) return -erf(-x);
  if (x > 1) return 1 - erfc(x);
  const z = x * x;
  return (x * polevl(z, ERF_T)) / p1evl(z, ERF_U);
};

/** The complementary error function (Cephes `erfc`, relative error ≤ 5.7e-14). */
const erfc = (a: number): number => {
  if (Number.isNaN(a)) return Number.NaN;
  const x = Math.abs(a);
  if (x < 1) return 1 - erf(a);
  const z = -a * a;
  if (z < -MAXLOG) return a < 0 ? 2 : 0;
  const e = Math.exp(z);
  const y =
    x < 8 ? (e * polevl(x, ERFC_P)) / p1evl(x, ERFC_Q) : (e * polevl(x, ERFC_R)) / p1evl(x, ERFC_S);
  const r = a < 0 ? 2 - y : y;
  if (r !== 0) return r;
  return a < 0 ? 2 : 0;
};

/**
 * The standard normal CDF, Φ(a) — Cephes `ndtr` (what `scipy.stats.norm.cdf` evaluates).
 * @example normalCdf(0) // 0.5
 */
const normalCdf = (a: number): number => {
  if (Number.isNaN(a)) return Number.NaN;
  const x = a * Math.SQRT1_2;
  const z = Math.abs(x);
  if (z < Math.SQRT1_2) return 0.5 + 0.5 * erf(x);
  const y = 0.5 * erfc(z);
  return x > 0 ? 1 - y : y;
};

const LANCZOS_G = 7;
const LANCZOS = coefficients(`
  0.99999999999980993 676.5203681218851 -1259.1392167224028 771.32342877765313
  -176.61502916214059 12.507343278686905 -0.13857109526572012 9.9843695780195716e-6
  1.5056327351493116e-7
`);
const LS2PI = Number('0.91893853320467274178'); // log(sqrt(2π))
const STIRLING_A = coefficients(`
  8.116141674705084503e-4 -5.95061904284301438324e-4 7.93650340457716943945e-4
  -2.77777777730099687205e-3 8.33333333333331927722e-2
`);

/**
 * log Γ(x) for x > 0: Stirling's series (Cephes `lgam`) for x ≥ 13, Lanczos (g = 7) below,
 * relative error ~1e-15.
 */
const logGamma = (x: number): number => {
  if (x >= 13) {
    const q = (x - 0.5) * Math.log(x) - x + LS2PI;
    if (x > 1e8) return q;
    const p = 1 / (x * x);
    return q + polevl(p, STIRLING_A) / x;
  }
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const xm = x - 1;
  let a = LANCZOS[0] as number;
  const t = xm + LANCZOS_G + 0.5;
  for (let i = 1; i < LANCZOS.length; i++) a += (LANCZOS[i] as number) / (xm + i);
  return LS2PI + (xm + 0.5) * Math.log(t) - t + Math.log(a);
};

/** Regularized lower incomplete gamma P(a, x) by its power series (Cephes `igam`). */
const igam = (a: number, x: number): number => {
  if (x <= 0 || a <= 0) return 0;
  if (x > 1 && x > a) return 1 - igamc(a, x);
  const lax = a * Math.log(x) - x - logGamma(a);
  if (lax < -MAXLOG) return 0;
  const ax = Math.exp(lax);
  let r = a;
  let c = 1;
  let ans = 1;
  do {
    r += 1;
    c *= x / r;
    ans += c;
  } while (c / ans > MACHEP);
  return (ans * ax) / a;
};

/**
 * Regularized upper incomplete gamma Q(a, x) = Γ(a, x)/Γ(a) by its continued fraction
 * (Cephes `igamc`; Numerical Recipes §6.2).
 */
const igamc = (a: number, x: number): number => {
  if (x < 0 || a <= 0 || Number.isNaN(x)) return Number.NaN;
  if (x === Number.POSITIVE_INFINITY) return 0;
  if (x < 1 || x < a) return 1 - igam(a, x);
  const lax = a * Math.log(x) - x - logGamma(a);
  if (lax < -MAXLOG) return 0;
  const ax = Math.exp(lax);
  let y = 1 - a;
  let z = x + y + 1;
  let c = 0;
  let pkm2 = 1;
  let qkm2 = x;
  let pkm1 = x + 1;
  let qkm1 = z * x;
  let ans = pkm1 / qkm1;
  let t: number;
  do {
    c += 1;
    y += 1;
    z += 2;
    const yc = y * c;
    const pk = pkm1 * z - pkm2 * yc;
    const qk = qkm1 * z - qkm2 * yc;
    if (qk !== 0) {
      const r = pk / qk;
      t = Math.abs((ans - r) / r);
      ans = r;
    } else {
      t = 1;
    }
    pkm2 = pkm1;
    pkm1 = pk;
    qkm2 = qkm1;
    qkm1 = qk;
    if (Math.abs(pk) > BIG) {
      pkm2 *= BIG_INV;
      pkm1 *= BIG_INV;
      qkm2 *= BIG_INV;
      qkm1 *= BIG_INV;
    }
  } while (t > MACHEP);
  return ans * ax;
};

/**
 * Survival function of the χ² distribution with `df` degrees of freedom:
 * Q(df/2, x/2) (what `scipy.stats.chi2.sf` evaluates, via Cephes `chdtrc`).
 * @example chiSquaredSf(3.84, 1) // ≈ 0.05
 */
const chiSquaredSf = (x: number, df: number): number => {
  if (x < 0) return 1;
  return igamc(df / 2, x / 2);
};

export { chiSquaredSf, erfc, logGamma, normalCdf };
