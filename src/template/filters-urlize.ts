/**
 * Jinja2 3.1's urlize (nunjucks' namesake predates it): the text HTML-escaped, then each word that reads
 * as a URL (`http(s)://`, `www.`, a bare domain in a few well-known TLDs, an IP address), an email address
 * or `mailto:`, or a URL in one of `extra_schemes`, made a link. Leading `(`/`<` and trailing `)`, `>`,
 * `.`, `,` stay outside the link unless they balance a bracket inside it. Links get `rel="noopener"`
 * (Jinja2's default policy, merged with `rel` and `nofollow`), e-mail links no rel or target.
 */
import { TemplateError } from '../errors.js'
import { type FilterFunction, iterableItems, toText } from './filter-args.js'
import { htmlEscape } from './filters-jinja.js'
import { pyTruthy } from './python.js'

// Python's \w on text: letters, digits and the underscore of any script.
const W = '\\p{L}\\p{N}_'
const HTTP = new RegExp(
  '^(?:' +
    `(?:https?://|www\\.)(?:[${W}%-]+\\.)*(?:[a-z]{2,63}|xn--[${W}%]{2,59})` +
    `|(?:[${W}%-]{2,63}\\.)+(?:com|net|int|edu|gov|org|info|mil)` +
    '|https?://(?:\\d{1,3}(?:\\.\\d{1,3}){3}|\\[(?:[\\da-f]{0,4}:){2}(?:[\\da-f]{0,4}:?){1,6}\\])' +
    ')(?::\\d{1,5})?(?:[/?#]\\S*)?$',
  'iu'
)
const EMAIL = new RegExp(`^\\S+@[${W}][${W}.-]*\\.[${W}]+$`, 'u')
const SCHEME = new RegExp(`^[${W}.+-]{2,}:/{0,2}$`, 'u')
const BRACKETS: [string, string][] = [
  ['(', ')'],
  ['<', '>'],
  ['&lt;', '&gt;']
]

const count = (text: string, part: string): number => text.split(part).length - 1

interface LinkOptions {
  limit: number | undefined
  attrs: string
  schemes: string[]
}

/** One word (no whitespace) with its URL or address, if any, made a link. */
function linkWord(word: string, { limit, attrs, schemes }: LinkOptions): string {
  const head = /^(?:[(<]|&lt;)+/.exec(word)?.[0] ?? ''
  let middle = word.slice(head.length)
  let tail = /(?:[)>.,\n]|&gt;)+$/.exec(middle)?.[0] ?? ''
  middle = middle.slice(0, middle.length - tail.length)
  // A closing bracket that balances one inside the link belongs to it: (http://x.org/a_(b)).
  for (const [open, close] of BRACKETS) {
    const opened = count(middle, open)
    if (opened <= count(middle, close)) continue
    for (let n = Math.min(opened, count(tail, close)); n > 0; n--) {
      const end = tail.indexOf(close) + close.length
      middle += tail.slice(0, end)
      tail = tail.slice(end)
    }
  }
  const shown = (url: string): string =>
    limit !== undefined && [...url].length > limit ? [...url].slice(0, limit).join('') + '...' : url
  if (HTTP.test(middle)) {
    const href = /^https?:\/\//.test(middle) ? middle : `https://${middle}`
    middle = `<a href="${href}"${attrs}>${shown(middle)}</a>`
  } else if (middle.startsWith('mailto:') && EMAIL.test(middle.slice(7))) {
    middle = `<a href="${middle}">${middle.slice(7)}</a>`
  } else if (
    middle.includes('@') &&
    !middle.startsWith('www.') &&
    !middle.includes(':') &&
    EMAIL.test(middle)
  ) {
    middle = `<a href="mailto:${middle}">${middle}</a>`
  } else {
    for (const scheme of schemes)
      if (middle !== scheme && middle.startsWith(scheme))
        middle = `<a href="${middle}"${attrs}>${middle}</a>`
  }
  return head + middle + tail
}

function urlize(value: unknown, args: unknown[], kw: Record<string, unknown>): string {
  const [limitArg = null, nofollow = false, target = null, rel = null, schemesArg = null] = args
  const limit = kw.trim_url_limit ?? limitArg
  const relParts = new Set(
    toText(kw.rel ?? rel ?? '')
      .split(/\s+/)
      .filter(Boolean)
  )
  if (pyTruthy(kw.nofollow ?? nofollow)) relParts.add('nofollow')
  relParts.add('noopener')
  const targetText = kw.target ?? target
  const attrs =
    ` rel="${htmlEscape([...relParts].sort().join(' '))}"` +
    (pyTruthy(targetText) ? ` target="${htmlEscape(toText(targetText))}"` : '')
  const schemesValue = kw.extra_schemes ?? schemesArg
  const schemes = schemesValue === null ? [] : iterableItems(schemesValue).map((s) => toText(s))
  for (const scheme of schemes)
    if (!SCHEME.test(scheme))
      throw new TemplateError(`urlize: '${scheme}' is not a valid URI scheme prefix.`)
  const options = { limit: limit === null ? undefined : Number(limit), attrs, schemes }
  return htmlEscape(toText(value))
    .split(/(\s+)/)
    .map((word) => linkWord(word, options))
    .join('')
}

/** The filter above, by name. */
export const URLIZE_FILTERS: Record<string, FilterFunction> = { urlize }
