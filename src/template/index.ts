/** Jinja2-compatible templating as Ansible does it (the only part of the code that uses nunjucks). */
export { noteUntrustedRead, Templar, untrustedReadCount, type ScopeEntry } from './templar.js'
export {
  ANSIBLE_TEMPLATE_SYNTAX,
  DELIMITER_SETTINGS,
  type JinjaSyntax,
  type TemplateFileOptions
} from './template-file.js'
export { pythonStr, pyTruthy, pyTypeName, toBoolean, tuplesAsLists } from './python.js'
export { templateVariables } from './template-vars.js'
export {
  LookupFailure,
  lookupNames,
  runLoopLookup,
  setHostPatternEvaluator,
  setLookupWarningSink
} from './lookups/index.js'
