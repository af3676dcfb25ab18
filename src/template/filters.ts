/** Ansible's and Jinja2's filters by name, gathered from the family files beside this one. */
import type { FilterDependencies, FilterFunction } from './filter-args.js'
import { CRYPTO_FILTERS } from './filters-crypto.js'
import { DICT_FILTERS } from './filters-dicts.js'
import { JINJA_FILTERS } from './filters-jinja.js'
import { listFilters } from './filters-lists.js'
import { MORE_FILTERS } from './filters-more.js'
import { NET_FILTERS } from './filters-net.js'
import { PATH_FILTERS } from './filters-paths.js'
import { SERIALIZE_FILTERS } from './filters-serialize.js'
import { TEXT_FILTERS } from './filters-text.js'
import { TIME_FILTERS } from './filters-time.js'
import { URLIZE_FILTERS } from './filters-urlize.js'
import { VALUE_FILTERS } from './filters-values.js'

/** Filters that accept Undefined arguments (everything else throws the undefined error). */
export const UNDEFINED_SAFE_FILTERS = new Set([
  'default',
  'd',
  'mandatory',
  // Its container may be undefined (the filter checks the rest itself).
  'extract',
  'ansible.builtin.extract'
])

// Ansible's own filter plugins answer to `ansible.builtin.NAME` too (Jinja2's builtins do not).
const ANSIBLE_BUILTIN_FILTERS = [
  'b64decode', 'b64encode', 'basename', 'bool', 'checksum', 'combinations', 'combine', 'comment',
  'dict2items', 'difference', 'dirname', 'expanduser', 'expandvars', 'extract', 'flatten',
  'from_json', 'from_yaml', 'hash', 'human_readable', 'human_to_bytes', 'intersect', 'items2dict',
  'mandatory', 'password_hash', 'permutations', 'product', 'quote', 'random', 'realpath',
  'regex_escape', 'regex_findall', 'regex_replace', 'regex_search', 'shuffle', 'split', 'strftime',
  'subelements', 'symmetric_difference', 'ternary', 'to_datetime', 'to_json', 'to_nice_json',
  'to_nice_yaml', 'to_uuid', 'to_yaml', 'type_debug', 'union', 'unique', 'urlsplit', 'zip',
  'zip_longest', 'json_query', 'md5', 'sha1', 'log', 'pow', 'root', 'path_join', 'relpath',
  'splitext', 'fileglob', 'urldecode', 'win_basename', 'win_dirname', 'win_splitdrive',
  'rekey_on_member', 'from_yaml_all'
] // prettier-ignore

// Collection filters users write with their collection's name (and Ansible routes the short name).
const COLLECTION_FILTERS: Record<string, string[]> = {
  json_query: ['community.general.json_query']
}

/** Ansible's and Jinja2's filters, by name. */
export function createFilters(deps: FilterDependencies): Record<string, FilterFunction> {
  const filters: Record<string, FilterFunction> = {
    // Jinja2's builtins first: Ansible's filters of the same name win, as in Ansible.
    ...JINJA_FILTERS,
    ...URLIZE_FILTERS,
    ...VALUE_FILTERS,
    ...SERIALIZE_FILTERS,
    ...TEXT_FILTERS,
    ...listFilters(deps),
    ...DICT_FILTERS,
    ...CRYPTO_FILTERS,
    ...TIME_FILTERS,
    ...MORE_FILTERS,
    ...NET_FILTERS,
    ...PATH_FILTERS
  }
  filters.d = filters.default!
  filters.count = filters.length!
  for (const name of ANSIBLE_BUILTIN_FILTERS)
    if (filters[name]) filters[`ansible.builtin.${name}`] = filters[name]
  for (const [name, aliases] of Object.entries(COLLECTION_FILTERS))
    for (const alias of aliases) if (filters[name]) filters[alias] = filters[name]
  return filters
}
