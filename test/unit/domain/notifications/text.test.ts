import fc from 'fast-check';
import { truncateAtWord } from '../../../../lambdas/domain/notifications/text';

describe('Function: truncateAtWord', () => {
  it('returns text that fits unchanged', () => {
    // Prepare
    const text = 'HighErrorRate on model-server-0';

    // Act
    const out = truncateAtWord(text, text.length);

    // Assess
    expect(out).toBe(text);
  });

  it('cuts at the last word boundary and appends an ellipsis', () => {
    // Prepare
    const text = 'firing on host-a and host-b';

    // Act
    const out = truncateAtWord(text, 20);

    // Assess
    expect(out).toBe('firing on host-a…');
  });

  it('keeps a word that ends exactly at the limit', () => {
    // Act
    const out = truncateAtWord('alpha beta gamma', 11);

    // Assess
    expect(out).toBe('alpha beta…');
  });

  it('cuts a single word longer than the limit without splitting a surrogate pair', () => {
    // Act
    const out = truncateAtWord('ab🔥cdef', 4);

    // Assess
    expect(out).toBe('ab…');
  });

  it('hard-cuts a plain long word, keeping a whole surrogate pair before the cut', () => {
    // Act
    const plain = truncateAtWord('abcdefgh', 4);
    const pair = truncateAtWord('a🔥bcdef', 4);

    // Assess
    expect(plain).toBe('abc…');
    expect(pair).toBe('a🔥…');
  });

  it('never exceeds the limit and only cuts at whitespace when there is any', () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[a-z]{1,12}$/), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 14, max: 200 }),
        (words, max) => {
          // Prepare
          const text = words.join(' ');

          // Act
          const out = truncateAtWord(text, max);

          // Assess
          expect(out.length).toBeLessThanOrEqual(max);
          if (out !== text) {
            expect(out.endsWith('…')).toBe(true);
            const kept = out.slice(0, -1);
            if (words[0] !== undefined && words[0].length < max) {
              expect(text.startsWith(`${kept} `)).toBe(true);
            }
          }
        },
      ),
    );
  });
});
