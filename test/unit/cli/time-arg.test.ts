import { parseTimeArg } from '../../../bin/commands/time-arg';

const NOW_MS = Date.parse('2026-11-25T12:00:00Z');

describe('Function: parseTimeArg', () => {
  it.each([
    ['30m', NOW_MS - 1_800_000],
    ['1h30m', NOW_MS - 5_400_000],
    ['2d', NOW_MS - 172_800_000],
    ['2026-11-25T10:00:00Z', Date.UTC(2026, 10, 25, 10)],
    ['1795600000000', 1_795_600_000_000],
    ['2026-11-25', Date.UTC(2026, 10, 25)],
    ['soon', undefined],
    ['', undefined],
  ])('reads %s', (text, expected) => {
    // Act
    const ms = parseTimeArg(text, NOW_MS);

    // Assess
    expect(ms).toBe(expected);
  });
});
