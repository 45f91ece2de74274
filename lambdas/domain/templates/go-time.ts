/**
 * `time.Time` formatting in UTC with Go's reference layout (`Mon Jan 2 15:04:05 MST 2006`),
 * for `humanizeTimestamp` (`time.Time.String()`) and `(toTime x).Format "…"`.
 * @see https://pkg.go.dev/time#pkg-constants
 */

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const LAYOUT_TOKEN =
  /January|Jan|Monday|Mon|MST|2006|Z07:00:00|Z07:00|Z0700|Z07|-07:00:00|-07:00|-0700|-07|002|__2|_2|01|02|03|04|05|06|15|PM|pm|[.,](?:0+|9+)(?!\d)|1|2|3|4|5/g;

const two = (n: number): string => String(n).padStart(2, '0');

/**
 * Formats epoch milliseconds in UTC with a Go layout. Sub-millisecond digits are always zero
 * (Prometheus timestamps are milliseconds).
 * @example formatTime(0, '2006-01-02 15:04:05.999999999 -0700 MST') // '1970-01-01 00:00:00 +0000 UTC'
 */
const formatTime = (epochMs: number, layout: string): string => {
  const d = new Date(epochMs);
  const ms = ((epochMs % 1000) + 1000) % 1000;
  const year = d.getUTCFullYear();
  const hour = d.getUTCHours();
  const yday =
    Math.floor(
      (Date.UTC(year, d.getUTCMonth(), d.getUTCDate()) - Date.UTC(year, 0, 1)) / 86_400_000,
    ) + 1;
  return layout.replace(LAYOUT_TOKEN, (tok) => {
    switch (tok) {
      case 'January':
        return MONTHS[d.getUTCMonth()] as string;
      case 'Jan':
        return (MONTHS[d.getUTCMonth()] as string).slice(0, 3);
      case 'Monday':
        return DAYS[d.getUTCDay()] as string;
      case 'Mon':
        return (DAYS[d.getUTCDay()] as string).slice(0, 3);
      case 'MST':
        return 'UTC';
      case '2006':
        return String(year).padStart(4, '0');
      case '06':
        return two(year % 100);
      case '01':
        return two(d.getUTCMonth() + 1);
      case '1':
        return String(d.getUTCMonth() + 1);
      case '02':
        return two(d.getUTCDate());
      case '2':
        return String(d.getUTCDate());
      case '_2':
        return String(d.getUTCDate()).padStart(2, ' ');
      case '002':
        return String(yday).padStart(3, '0');
      case '__2':
        return String(yday).padStart(3, ' ');
      case '15':
        return two(hour);
      case '03':
        return two(hour % 12 === 0 ? 12 : hour % 12);
      case '3':
        return String(hour % 12 === 0 ? 12 : hour % 12);
      case '04':
        return two(d.getUTCMinutes());
      case '4':
        return String(d.getUTCMinutes());
      case '05':
        return two(d.getUTCSeconds());
      case '5':
        return String(d.getUTCSeconds());
      case 'PM':
        return hour >= 12 ? 'PM' : 'AM';
      case 'pm':
        return hour >= 12 ? 'pm' : 'am';
      case 'Z07:00:00':
      case 'Z07:00':
      case 'Z0700':
      case 'Z07':
        return 'Z';
      case '-07:00:00':
        return '+00:00:00';
      case '-07:00':
        return '+00:00';
      case '-0700':
        return '+0000';
      case '-07':
        return '+00';
      default: {
        // Fractional seconds: `.000` keeps n digits, `.999` trims trailing zeros.
        const n = tok.length - 1;
        const frac = `${String(ms).padStart(3, '0')}000000`.slice(0, n);
        if (tok[1] === '0') return tok[0] + frac;
        const trimmed = frac.replace(/0+$/, '');
        return trimmed === '' ? '' : tok[0] + trimmed;
      }
    }
  });
};

export { formatTime };
