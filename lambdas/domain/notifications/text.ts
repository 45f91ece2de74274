/** Text helpers shared by the notification payload builders (pure). */

/** Marks text cut short by {@link truncateAtWord}. */
const ELLIPSIS = '…';

/**
 * `text` cut to at most `max` characters (UTF-16 units, never fewer than Unicode characters) at
 * the last whitespace before the limit, with `…` appended; a single word longer than the limit
 * is the only thing ever cut inside. Text that fits is returned unchanged.
 * @param text - the text to shorten
 * @param max - the limit including the `…`, at least 1
 * @example truncateAtWord('firing on host-a and host-b', 20) // 'firing on host-a…'
 */
const truncateAtWord = (text: string, max: number): string => {
  if (text.length <= max) return text;
  const room = Math.max(0, max - ELLIPSIS.length);
  const head = text.slice(0, room + 1);
  const cut = head.search(/\s\S*$/);
  if (cut > 0) return `${head.slice(0, cut).trimEnd()}${ELLIPSIS}`;
  // No space to cut at: cut the word, but never between the halves of a surrogate pair.
  let end = room;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}${ELLIPSIS}`;
};

export { ELLIPSIS, truncateAtWord };
