/**
 * Go's float64 formatting (strconv.FormatFloat and fmt's %e %f %g %v), digit for digit.
 * Shortest digits come from JavaScript's round-trip `toExponential()` (the same shortest,
 * closest digits Go picks); fixed precisions round the exact binary value half-to-even, as Go does.
 * @see https://pkg.go.dev/strconv#FormatFloat
 * @see https://github.com/golang/go/blob/master/src/strconv/ftoa.go (formatDigits, %e/%f/%g)
 */

interface Digits {
  /** Decimal digits without leading or trailing zeros (`''` for zero). */
  digits: string;
  /** Position of the decimal point relative to the first digit. */
  dp: number;
}

/** Exact decimal expansion of a finite, positive double. */
const exactDigits = (x: number): Digits => {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp: number;
  if (biased === 0) exp = -1074;
  else {
    mant |= 1n << 52n;
    exp = biased - 1075;
  }
  if (mant === 0n) return { digits: '', dp: 0 };
  let s: string;
  let dp: number;
  if (exp >= 0) {
    s = (mant << BigInt(exp)).toString();
    dp = s.length;
  } else {
    s = (mant * 5n ** BigInt(-exp)).toString();
    dp = s.length + exp;
  }
  return { digits: s.replace(/0+$/, ''), dp };
};

/** Shortest digits that round-trip. */
const shortestDigits = (x: number): Digits => {
  if (x === 0) return { digits: '', dp: 0 };
  const [mant = '', e = '0'] = x.toExponential().split('e');
  return { digits: mant.replace('.', '').replace(/0+$/, ''), dp: Number(e) + 1 };
};

/** Rounds to `nd` digits, half to even on exact ties (strconv decimal.Round). */
const roundDigits = (d: Digits, nd: number): Digits => {
  if (nd < 0 || nd >= d.digits.length) return d;
  const next = d.digits[nd] as string;
  let up: boolean;
  if (next === '5' && nd + 1 === d.digits.length) {
    up = nd > 0 && Number(d.digits[nd - 1]) % 2 === 1;
  } else up = next >= '5';
  if (!up) return { digits: d.digits.slice(0, nd).replace(/0+$/, ''), dp: d.dp };
  for (let i = nd - 1; i >= 0; i--) {
    const c = d.digits[i] as string;
    if (c < '9') {
      return { digits: d.digits.slice(0, i) + String(Number(c) + 1), dp: d.dp };
    }
  }
  return { digits: '1', dp: d.dp + 1 };
};

const digitAt = (d: Digits, i: number): string =>
  i >= 0 && i < d.digits.length ? (d.digits[i] as string) : '0';

const fmtE = (d: Digits, prec: number, e: string): string => {
  let out = digitAt(d, 0);
  if (prec > 0) {
    out += '.';
    for (let i = 1; i <= prec; i++) out += digitAt(d, i);
  }
  const exp = d.digits === '' ? 0 : d.dp - 1;
  const abs = Math.abs(exp);
  return `${out}${e}${exp < 0 ? '-' : '+'}${abs < 10 ? '0' : ''}${abs}`;
};

const fmtF = (d: Digits, prec: number): string => {
  let out = '';
  if (d.dp > 0) for (let i = 0; i < d.dp; i++) out += digitAt(d, i);
  else out = '0';
  if (prec > 0) {
    out += '.';
    for (let i = 0; i < prec; i++) out += digitAt(d, d.dp + i);
  }
  return out;
};

/** The verbs strconv.FormatFloat knows that we use. */
type FloatVerb = 'e' | 'E' | 'f' | 'g' | 'G';

/**
 * `strconv.FormatFloat(x, verb, prec, 64)`: `prec` -1 means the shortest representation.
 * Infinities are `+Inf`/`-Inf`, NaN is `NaN`.
 * @example formatFloat(1e6, 'g', -1) // '1e+06'
 */
const formatFloat = (x: number, verb: FloatVerb, prec: number): string => {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Number.POSITIVE_INFINITY) return '+Inf';
  if (x === Number.NEGATIVE_INFINITY) return '-Inf';
  const neg = x < 0 || Object.is(x, -0);
  const abs = Math.abs(x);
  const sign = neg ? '-' : '';
  const shortest = prec < 0;
  let d: Digits;
  if (shortest) d = shortestDigits(abs);
  else {
    d = exactDigits(abs);
    if (verb === 'e' || verb === 'E') d = roundDigits(d, prec + 1);
    else if (verb === 'f') d = roundDigits(d, d.dp + prec);
    else d = roundDigits(d, prec === 0 ? 1 : prec);
  }
  const nd = d.digits.length;
  switch (verb) {
    case 'e':
    case 'E':
      return sign + fmtE(d, shortest ? Math.max(nd - 1, 0) : prec, verb);
    case 'f':
      return sign + fmtF(d, shortest ? Math.max(nd - d.dp, 0) : prec);
    default: {
      let p = shortest ? nd : prec === 0 ? 1 : prec;
      let eprec = p;
      if (eprec > nd && nd >= d.dp) eprec = nd;
      if (shortest) eprec = 6;
      const exp = d.dp - 1;
      if (exp < -4 || exp >= eprec) {
        if (p > nd) p = nd;
        return sign + fmtE(d, Math.max(p - 1, 0), verb === 'G' ? 'E' : 'e');
      }
      if (p > d.dp) p = nd;
      return sign + fmtF(d, Math.max(p - d.dp, 0));
    }
  }
};

export { formatFloat };
export type { FloatVerb };
