/** Filters on dicts: dict2items, items2dict, dict, items, combine. */
import { TemplateError } from '../errors.js'
import { getAttribute } from './attributes.js'
import { type FilterFunction, dictArg, iterableItems, toText } from './filter-args.js'
import { PyTuple, pyIn, pyTruthy, pyTypeName } from './python.js'
import { assertDefined } from './undefined.js'
import { isRecord } from '../values/records.js'

function combineTwo(
  a: Record<string, unknown>,
  b: Record<string, unknown>,
  recursive: boolean,
  listMerge: string
) {
  const out: Record<string, unknown> = { ...a }
  for (const key of Object.keys(b)) {
    const left = out[key]
    const right = b[key]
    if (recursive && isRecord(left) && isRecord(right)) {
      out[key] = combineTwo(left, right, recursive, listMerge)
    } else if (Array.isArray(left) && Array.isArray(right) && listMerge !== 'replace') {
      if (listMerge === 'keep') out[key] = left
      else if (listMerge === 'append') out[key] = [...left, ...right]
      else if (listMerge === 'prepend') out[key] = [...right, ...left]
      else if (listMerge === 'append_rp')
        out[key] = [...left.filter((x) => !pyIn(x, right)), ...right]
      else if (listMerge === 'prepend_rp')
        out[key] = [...right, ...left.filter((x) => !pyIn(x, right))]
      else throw new TemplateError(`combine: unknown list_merge '${listMerge}'`)
    } else {
      out[key] = right
    }
  }
  return out
}

/** The dict filters, by name. */
export const DICT_FILTERS: Record<string, FilterFunction> = {
  dict2items: (v, _a, kw) => {
    const d = dictArg(v, 'dict2items')
    const [k, val] = [String(kw.key_name ?? 'key'), String(kw.value_name ?? 'value')]
    return Object.keys(d).map((key) => ({ [k]: key, [val]: d[key] }))
  },
  items2dict: (v, _a, kw) => {
    const [k, val] = [String(kw.key_name ?? 'key'), String(kw.value_name ?? 'value')]
    return Object.fromEntries(
      iterableItems(v, `items2dict requires a list, got <class '${pyTypeName(v)}'> instead.`).map(
        (item) => [
          toText(assertDefined(getAttribute(item, k))),
          assertDefined(getAttribute(item, val))
        ]
      )
    )
  },
  dict: (v) =>
    Object.fromEntries(
      iterableItems(v).map((pair) => [toText((pair as unknown[])[0]), (pair as unknown[])[1]])
    ),
  items: (v) => Object.entries(dictArg(v, 'items')).map(([k, x]) => PyTuple.of(k, x)),
  combine: (v, others, kw) => {
    const dicts = [v, ...others]
      .flatMap((d) => (Array.isArray(d) ? d : [d]))
      .map((d) => dictArg(d, 'combine'))
    const recursive = pyTruthy(kw.recursive ?? false)
    const listMerge = String(kw.list_merge ?? 'replace')
    return dicts.reduce((acc, d) => combineTwo(acc, d, recursive, listMerge), {})
  }
}
