/**
 * Index just past the `}` that closes the JSON object starting at `start` (which must be `{`),
 * or -1 when it is not closed (yet). Strings and escapes are skipped, so braces inside string
 * values do not count. Used to find embedded tool-call arguments in text.
 */
export function matchJsonObjectEnd(s: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < s.length; i++) {
    const c = s[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i + 1;
  }
  return -1;
}
