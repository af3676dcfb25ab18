// Python's fnmatch patterns (shell globs) as JavaScript regular expressions.

/**
 * Python's `fnmatch.translate` as the source of a JavaScript RegExp (no anchors, any flags): `*`, `?`,
 * `[seq]` and `[!seq]`, everything else literal; `*` and `?` match a newline too, a reversed range is
 * dropped and an empty class matches nothing, as in Python. Runs of `*` become one (a pattern of many
 * stars must not make the match backtrack without end). Used by find's `patterns` and by host patterns.
 */
export function fnmatchSource(glob: string): string {
  let out = ''
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!
    if (ch === '*') {
      if (!out.endsWith('[\\s\\S]*')) out += '[\\s\\S]*'
    } else if (ch === '?') out += '[\\s\\S]'
    else if (ch === '[') {
      let j = i + 1
      if (glob[j] === '!') j++
      if (glob[j] === ']') j++
      while (j < glob.length && glob[j] !== ']') j++
      if (j >= glob.length) {
        out += '\\['
        continue
      }
      let body = glob.slice(i + 1, j)
      i = j
      let negate = false
      if (body.startsWith('!')) {
        negate = true
        body = body.slice(1)
      }
      // Inside the class every character is itself, except ranges a-z.
      const items: string[] = []
      for (let k = 0; k < body.length; k++) {
        const c = body[k]!
        if (body[k + 1] === '-' && k + 2 < body.length) {
          const end = body[k + 2]!
          // Python drops a reversed range (z-a); an empty class then matches nothing.
          if (c <= end) items.push(`${escapeClass(c)}-${escapeClass(end)}`)
          k += 2
        } else items.push(escapeClass(c))
      }
      if (items.length === 0) out += negate ? '[\\s\\S]' : '(?!)'
      else out += `[${negate ? '^' : ''}${items.join('')}]`
    } else out += ch.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')
  }
  return out
}

function escapeClass(c: string): string {
  return /[\\\]^-]/.test(c) ? `\\${c}` : c
}
