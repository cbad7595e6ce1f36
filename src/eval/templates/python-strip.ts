/**
 * Python's `str.strip()` with no argument, which Jinja2's `trim` filter is: it strips what `str.isspace()`
 * calls whitespace. JavaScript's `trim()` differs on four characters both ways: it keeps U+001C–U+001F and
 * U+0085 (Python strips them) and strips U+FEFF (Python keeps it), so the reference's bytes need this.
 */
const PYTHON_WHITESPACE =
  "\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000";

export function pythonStrip(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && PYTHON_WHITESPACE.includes(text[start] as string)) start++;
  while (end > start && PYTHON_WHITESPACE.includes(text[end - 1] as string)) end--;
  return text.slice(start, end);
}
