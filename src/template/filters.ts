/** Ansible's and Jinja2's filters by name, gathered from the family files beside this one. */
import type { FilterDependencies, FilterFunction } from './filter-args.js'
import { DICT_FILTERS } from './filters-dicts.js'
import { JINJA_FILTERS } from './filters-jinja.js'
import { listFilters } from './filters-lists.js'
import { SERIALIZE_FILTERS } from './filters-serialize.js'
import { TEXT_FILTERS } from './filters-text.js'
import { VALUE_FILTERS } from './filters-values.js'

/** Filters that accept Undefined arguments (everything else throws the undefined error). */
export const UNDEFINED_SAFE_FILTERS = new Set(['default', 'd', 'mandatory'])

/** Ansible's and Jinja2's filters, by name. */
export function createFilters(deps: FilterDependencies): Record<string, FilterFunction> {
  const filters: Record<string, FilterFunction> = {
    // Jinja2's builtins first: Ansible's filters of the same name win, as in Ansible.
    ...JINJA_FILTERS,
    ...VALUE_FILTERS,
    ...SERIALIZE_FILTERS,
    ...TEXT_FILTERS,
    ...listFilters(deps),
    ...DICT_FILTERS
  }
  filters.d = filters.default!
  filters.count = filters.length!
  return filters
}
