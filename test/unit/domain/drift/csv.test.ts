import fc from 'fast-check';
import { CsvParseError, parseCsvTable } from '../../../../lambdas/domain/drift';
import { BadRequestError } from '../../../../lambdas/domain/errors';

/** RFC 4180 writer for the round-trip property: quote every field that needs it. */
const formatCsv = (rows: string[][]): string =>
  rows
    .map((r) => r.map((f) => (/[",\r\n]/.test(f) ? `"${f.replaceAll('"', '""')}"` : f)).join(','))
    .join('\r\n');

describe('Drift: parseCsvTable (RFC 4180)', () => {
  it('reads a header, numeric and categorical columns, and drops empty cells per column', () => {
    // Act
    const t = parseCsvTable('age,city,score\n31,Paris,0.5\n,Lyon,1e-3\n45,,-2\n');

    // Assess
    expect(t).toEqual({
      columns: ['age', 'city', 'score'],
      values: { age: [31, 45], city: ['Paris', 'Lyon'], score: [0.5, 0.001, -2] },
    });
  });

  it('reads quoted fields with commas, line breaks and doubled quotes, CRLF and a BOM', () => {
    // Act
    const t = parseCsvTable('\uFEFFname,"note, long"\r\n"a ""b""","x\r\ny"\r\n"",z\r\n');

    // Assess
    expect(t).toEqual({
      columns: ['name', 'note, long'],
      values: { name: ['a "b"'], 'note, long': ['x\r\ny', 'z'] },
    });
  });

  it('makes a column categorical when any value is not a number, keeping cells as written', () => {
    // Act
    const t = parseCsvTable('v\n1\n2\nn/a\n 3 \n');

    // Assess
    expect(t.values.v).toEqual(['1', '2', 'n/a', ' 3 ']);
  });

  it('reads NaN, nan, inf and Infinity cells of a numeric column as non-finite numbers, not as categories', () => {
    // Act
    const t = parseCsvTable('v\n1\nNaN\nnan\n inf \n-Infinity\n+INF\n2.5\n');

    // Assess
    expect(t.values.v).toEqual([
      1,
      Number.NaN,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Number.POSITIVE_INFINITY,
      2.5,
    ]);
  });

  it('skips blank lines of multi-column tables and reads a blank line of one column as missing', () => {
    // Assess
    expect(parseCsvTable('a,b\n1,2\n\n3,4\n').values).toEqual({ a: [1, 3], b: [2, 4] });
    expect(parseCsvTable('a\n1\n\n3\n').values).toEqual({ a: [1, 3] });
  });

  it.each([
    ['', 'line 1: no header row: the first line must name the columns'],
    ['a,,b\n1,2,3', 'line 1: column 2 has an empty name'],
    ['a,a\n1,2', 'line 1: duplicate column name "a"'],
    ['a,b\n1,2\n3\n', 'line 3: expected 2 fields (as in the header), found 1'],
    ['a,b\n1,2\n"3,\n4\n', 'line 3: unterminated quoted field'],
    ['a,b\n"1\n2",3,4\n', 'line 2: expected 2 fields (as in the header), found 3'],
    [
      'a,b\n1,x"y"\n',
      'line 2: a double quote inside an unquoted field (field 2); quote the whole field and double the quote',
    ],
    ['a,b\n"1"x,2\n', 'line 2: unexpected "x" after the closing quote of field 1'],
  ])('rejects %j: %s', (text, message) => {
    // Act / Assess
    expect(() => parseCsvTable(text)).toThrow(CsvParseError);
    expect(() => parseCsvTable(text)).toThrow(message);
  });

  it('throws a BadRequestError subclass that carries the line', () => {
    // Act
    let error: unknown;
    try {
      parseCsvTable('a\n"x');
    } catch (e) {
      error = e;
    }

    // Assess
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({
      name: 'CsvParseError',
      line: 2,
      details: ['line 2: unterminated quoted field'],
    });
  });

  it('throws only CsvParseError on arbitrary input', () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom('a', '1', ',', '"', '\n', '\r', ' ', '.', 'é'),
          maxLength: 40,
        }),
        (text) => {
          try {
            parseCsvTable(text);
          } catch (e) {
            if (!(e instanceof CsvParseError)) throw e;
          }
        },
      ),
    );
  });

  it('round-trips any table written by an RFC 4180 writer', () => {
    const field = fc.string({
      unit: fc.constantFrom('a', 'b', '1', ',', '"', '\n', '\r\n', ' '),
      maxLength: 6,
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.string({ unit: fc.constantFrom('x', 'y', 'z', ',', '"'), minLength: 1, maxLength: 4 }),
          { minLength: 2, maxLength: 4 },
        ),
        fc.array(fc.array(field, { minLength: 4, maxLength: 4 }), { maxLength: 5 }),
        (header, body) => {
          // Prepare
          const rows = body.map((r) => r.slice(0, header.length));
          const text = formatCsv([header, ...rows]);

          // Act
          const t = parseCsvTable(text);

          // Assess
          expect(t.columns).toEqual(header);
          header.forEach((name, i) => {
            const cells = rows.map((r) => r[i] as string).filter((c) => c !== '');
            const numeric = cells.every((c) =>
              /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(c),
            );
            expect(t.values[name]).toEqual(numeric ? cells.map(Number) : cells);
          });
        },
      ),
    );
  });

  it('reads every double back exactly as Number() does, however it is written', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), {
          minLength: 1,
          maxLength: 20,
        }),
        fc.integer({ min: 0, max: 20 }),
        (xs, digits) => {
          // Prepare
          const cells = xs.flatMap((x) => [
            String(x),
            x.toExponential(digits),
            x.toPrecision(digits + 1),
            Math.abs(x) < 1e21 ? x.toFixed(digits) : String(x),
          ]);

          // Act
          const t = parseCsvTable(`v\n${cells.join('\n')}\n`);

          // Assess
          expect(t.values.v).toEqual(cells.map(Number));
          (t.values.v as number[]).forEach((v, i) => {
            expect(Object.is(v, Number(cells[i]))).toBe(true);
          });
        },
      ),
    );
  });

  it('reads long and signed decimals to the nearest double', () => {
    // Act
    const t = parseCsvTable(
      'v\n0.1\n-0\n+.5\n1.\n9007199254740993\n1.4043387784152637\n123456789012345678901234\n1e23\n2.5e-320\n1e400\n',
    );

    // Assess
    expect(t.values.v).toEqual([
      0.1,
      -0,
      0.5,
      1,
      9007199254740992,
      1.4043387784152637,
      1.2345678901234569e23,
      1e23,
      2.5e-320,
      Number.POSITIVE_INFINITY,
    ]);
    expect(Object.is(t.values.v?.[1], -0)).toBe(true);
  });

  it('keeps the cells of columns that turn categorical on later rows as written', () => {
    // Act
    const t = parseCsvTable('a,b,c\n1,2,3\n4.0,5,6\n7,x,9\n10,11,n/a\n 12 ,1e1,13\n');

    // Assess
    expect(t.values).toEqual({
      a: [1, 4, 7, 10, 12],
      b: ['2', '5', 'x', '11', '1e1'],
      c: ['3', '6', '9', 'n/a', '13'],
    });
  });

  it('names the line of a short row that follows a column turning categorical', () => {
    // Act / Assess
    expect(() => parseCsvTable('a,b\n1,2\nx,3\n4\n')).toThrow(
      'line 4: expected 2 fields (as in the header), found 1',
    );
  });
});
