/**
 * Python's order of str values (what `sorted` and `sort_keys` use): by code point. JavaScript's `<` and
 * default sort compare UTF-16 units, which put an astral character (an emoji) before U+E000–U+FFFF.
 */
export function byCodePoint(a: string, b: string): number {
  // Equal code points take equal units, so one index walks both strings.
  let i = 0
  while (i < a.length && i < b.length) {
    const x = a.codePointAt(i)!
    const y = b.codePointAt(i)!
    if (x !== y) return x - y
    i += x > 0xffff ? 2 : 1
  }
  return a.length - b.length
}
