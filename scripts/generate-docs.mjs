// Rebuilds the Inputs and Outputs tables in README.md from action.yml, so the docs never drift.
//   node scripts/generate-docs.mjs           rewrite README.md
//   node scripts/generate-docs.mjs --check   exit 1 when README.md is out of date (CI)
import { readFileSync, writeFileSync } from 'node:fs'
import { load } from 'js-yaml'

const ACTION_FILE = 'action.yml'
const README_FILE = 'README.md'

/**
 * Makes a value safe inside one Markdown table cell: a `|` would end the cell and a newline the row.
 * Blank lines (paragraphs) become `<br><br>`; single newlines are folded into spaces, as YAML would.
 * @param {string} text
 * @returns {string}
 */
function escapeCell(text) {
  return text
    .trim()
    .replace(/\r\n?/g, '\n')
    .split(/\n{2,}/)
    .map((paragraph) => paragraph.replace(/\s*\n\s*/g, ' '))
    .join('<br><br>')
    .replace(/\|/g, '\\|')
}

/**
 * Renders a default value as inline code, with a longer fence when the value itself holds backticks.
 * @param {unknown} value
 * @returns {string}
 */
function codeCell(value) {
  if (value === undefined || value === null || value === '') return ''
  const text = escapeCell(String(value))
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length))
  const fence = '`'.repeat(longestRun + 1)
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : ''
  return `${fence}${pad}${text}${pad}${fence}`
}

/**
 * @param {string[]} header
 * @param {string[][]} rows
 * @returns {string}
 */
function table(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}

/**
 * @param {Record<string, {description?: string, required?: boolean | string, default?: unknown}>} inputs
 * @returns {string}
 */
function inputsTable(inputs) {
  const rows = Object.entries(inputs ?? {}).map(([name, input]) => [
    `\`${name}\``,
    escapeCell(String(input?.description ?? '')),
    String(input?.required) === 'true' ? 'yes' : 'no',
    codeCell(input?.default)
  ])
  return table(['input', 'description', 'required', 'default'], rows)
}

/**
 * @param {Record<string, {description?: string}>} outputs
 * @returns {string}
 */
function outputsTable(outputs) {
  const rows = Object.entries(outputs ?? {}).map(([name, output]) => [
    `\`${name}\``,
    escapeCell(String(output?.description ?? ''))
  ])
  return table(['output', 'description'], rows)
}

/**
 * Replaces the text between `<!-- start NAME -->` and `<!-- end NAME -->`, keeping the markers.
 * @param {string} document
 * @param {string} name
 * @param {string} body
 * @returns {string}
 */
function replaceBlock(document, name, body) {
  const start = `<!-- start ${name} -->`
  const end = `<!-- end ${name} -->`
  const from = document.indexOf(start)
  const to = document.indexOf(end)
  if (from === -1 || to === -1 || to < from) {
    throw new Error(
      `${README_FILE} needs the markers '${start}' and '${end}' (in that order) around the ${name} table`
    )
  }
  return `${document.slice(0, from + start.length)}\n${body}\n${document.slice(to)}`
}

const action = load(readFileSync(ACTION_FILE, 'utf8'))
const before = readFileSync(README_FILE, 'utf8')
let after
try {
  after = replaceBlock(before, 'inputs', inputsTable(action.inputs))
  after = replaceBlock(after, 'outputs', outputsTable(action.outputs))
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error))
  process.exit(1)
}

if (process.argv.includes('--check')) {
  if (after !== before) {
    console.error(
      `${README_FILE} is out of date with ${ACTION_FILE}: run 'npm run docs' and commit ${README_FILE}.`
    )
    process.exit(1)
  }
  console.log(`${README_FILE} matches ${ACTION_FILE}.`)
} else if (after !== before) {
  writeFileSync(README_FILE, after)
  console.log(`Updated the inputs and outputs tables in ${README_FILE}.`)
} else {
  console.log(`${README_FILE} is already up to date.`)
}
