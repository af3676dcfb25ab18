/** JSON and YAML filters: to_json, to_nice_json, from_json, to_yaml, to_nice_yaml, from_yaml. */
import type { FilterFunction } from './filter-args.js'
import { pyTruthy, toBoolean } from './python.js'
import { fromJson, fromYaml, pyJsonDumps, toYaml } from './serialize.js'

/** The JSON and YAML filters, by name. */
export const SERIALIZE_FILTERS: Record<string, FilterFunction> = {
  to_json: (v, _a, kw) =>
    pyJsonDumps(v, {
      indent: kw.indent as number | undefined,
      sortKeys: toBoolean(kw.sort_keys ?? false),
      ensureAscii: pyTruthy(kw.ensure_ascii ?? true)
    }),
  to_nice_json: (v, [indent = 4], kw) =>
    pyJsonDumps(v, {
      indent: Number(kw.indent ?? indent),
      sortKeys: pyTruthy(kw.sort_keys ?? true),
      ensureAscii: pyTruthy(kw.ensure_ascii ?? true)
    }),
  from_json: (v) => fromJson(v),
  to_yaml: (v, _a, kw) => toYaml(v, false, kw),
  to_nice_yaml: (v, [indent = 4], kw) => toYaml(v, true, { indent, ...kw }),
  from_yaml: (v) => fromYaml(v)
}
