// Validates action.yml and every workflow in .github/workflows/ against GitHub's schemas with
// action-validator (its WebAssembly core runs offline), then checks what no schema can: that every
// `uses: ./` step passes only inputs action.yml declares and reads only outputs it declares.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import actionValidator from '@action-validator/core'
import { load } from 'js-yaml'

const ACTION_FILE = 'action.yml'
const WORKFLOWS_DIR = '.github/workflows'
// Runtimes GitHub runs for JavaScript actions today.
const NODE_RUNTIMES = ['node20', 'node24']

/** @type {string[]} */
const problems = []

/**
 * Validates action.yml.
 * action-validator 0.6.0 (the newest release) ships a schema whose `runs.using` enum stops at node20, so it
 * rejects `node24`. We check `using` ourselves and hand the validator the same text with node20 in its place,
 * so the rest of the schema (inputs, outputs, branding, runs) is still checked by action-validator.
 * @param {string} text
 * @returns {{inputs: Set<string>, outputs: Set<string>}}
 */
function validateActionFile(text) {
  const action = /** @type {any} */ (load(text)) ?? {}
  const using = action.runs?.using
  let forValidator = text
  if (typeof using === 'string' && using.startsWith('node')) {
    if (!NODE_RUNTIMES.includes(using)) {
      problems.push(
        `${ACTION_FILE}: runs.using is '${using}'; expected one of ${NODE_RUNTIMES.join(', ')}`
      )
    }
    forValidator = text.replace(/^(\s+using:\s*)(['"]?)node24\2[ \t]*$/m, '$1node20')
  }
  report(ACTION_FILE, actionValidator.validateAction(forValidator))

  for (const key of ['main', 'pre', 'post']) {
    const entry = action.runs?.[key]
    if (typeof entry === 'string' && !existsSync(entry)) {
      problems.push(
        `${ACTION_FILE}: runs.${key} is '${entry}', which does not exist: run 'npm run bundle'`
      )
    }
  }
  return {
    inputs: new Set(Object.keys(action.inputs ?? {})),
    outputs: new Set(Object.keys(action.outputs ?? {}))
  }
}

/**
 * Validates one workflow and its `uses: ./` steps against the action's inputs and outputs.
 * @param {string} file
 * @param {{inputs: Set<string>, outputs: Set<string>}} action
 */
function validateWorkflowFile(file, action) {
  const text = readFileSync(file, 'utf8')
  report(file, actionValidator.validateWorkflow(text))

  const workflow = /** @type {any} */ (load(text)) ?? {}
  for (const [jobId, job] of Object.entries(workflow.jobs ?? {})) {
    const localSteps = new Set()
    for (const [index, step] of (job?.steps ?? []).entries()) {
      const where = `${file}: jobs.${jobId}.steps[${index}]${step?.id ? ` (${step.id})` : ''}`
      if (!step?.id) problems.push(`${where}: every step needs an id`)
      if (step?.uses !== './') continue
      if (step.id) localSteps.add(step.id)
      for (const input of Object.keys(step.with ?? {})) {
        if (!action.inputs.has(input)) {
          problems.push(`${where}: input '${input}' is not declared in ${ACTION_FILE}`)
        }
      }
    }
    // Outputs read as steps.<id>.outputs.<name> from a `uses: ./` step of this job.
    const jobText = JSON.stringify(job)
    for (const match of jobText.matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
      const [, stepId, output] = match
      if (localSteps.has(stepId) && !action.outputs.has(output)) {
        problems.push(
          `${file}: jobs.${jobId} reads steps.${stepId}.outputs.${output}, not declared in ${ACTION_FILE}`
        )
      }
    }
  }
}

/**
 * @param {string} file
 * @param {{errors: unknown[]}} result
 */
function report(file, result) {
  if (result.errors.length > 0) {
    problems.push(
      `${file}: action-validator found errors:\n${JSON.stringify(result.errors, null, 2)}`
    )
  }
}

const action = validateActionFile(readFileSync(ACTION_FILE, 'utf8'))
const workflows = readdirSync(WORKFLOWS_DIR)
  .filter((name) => /\.ya?ml$/.test(name))
  .sort()
  .map((name) => join(WORKFLOWS_DIR, name))
for (const file of workflows) validateWorkflowFile(file, action)

if (problems.length > 0) {
  for (const problem of problems) console.error(problem)
  process.exit(1)
}
console.log(`Valid: ${[ACTION_FILE, ...workflows].join(', ')}`)
