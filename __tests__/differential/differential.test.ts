// Differential against ansible-playbook (the suite is suite.ts): the playbook basics: plays, failures, facts, async, blocks, tags, handlers, imports, roles, includes,
// the recap, environment, vault, group_vars, the controller modules and delegation.
import { differentialSuite } from './suite.js'

differentialSuite([
  'basics.yml',
  'failures.yml',
  'facts.yml',
  'async-seed1.yml',
  'async-seeds.yml',
  'async-status.yml',
  'blocks.yml',
  'tags.yml',
  'handlers.yml',
  'imports.yml',
  'roles.yml',
  'start-at-task.yml',
  'includes.yml',
  'roles-more.yml',
  'recap.yml',
  'environment.yml',
  'file-modes.yml',
  'yaml-scalars.yml',
  'module-args.yml',
  'controller-modules.yml',
  'controller-stats.yml',
  'vault.yml',
  'group-vars/site.yml',
  'delegation.yml'
])
