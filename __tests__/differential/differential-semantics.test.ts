// Differential against ansible-playbook (the suite is suite.ts): Ansible's semantics, one fixture per area (semantics-*.yml).
import { differentialSuite } from './suite.js'

differentialSuite([
  'semantics-tasks.yml',
  'semantics-special-vars.yml',
  'semantics-plays.yml',
  'semantics-roles.yml',
  'semantics-tags.yml',
  'semantics-unsafe.yml',
  'semantics-conditionals.yml',
  'semantics-floats.yml',
  'semantics-modules.yml',
  'semantics-templating.yml',
  'semantics-filters.yml',
  'semantics-blocks.yml',
  'semantics-fatal.yml',
  'semantics-fatal-unreachable.yml',
  'semantics-fatal-keywords.yml',
  'semantics-includes.yml',
  'semantics-include-abort.yml',
  'semantics-handlers.yml',
  'semantics-handlers-env.yml',
  'semantics-host-order.yml',
  'semantics-language.yml',
  'semantics-templated-action.yml',
  'semantics-vars-prompt.yml',
  'semantics-legacy-include.yml',
  'semantics-lookups.yml',
  'semantics-loops.yml',
  'semantics-lookups-unknown.yml',
  'semantics-lookups-vault.yml'
])
