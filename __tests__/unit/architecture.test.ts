import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

const SRC = resolve(__dirname, '../../src')

/** Every .ts file below `root`, as paths relative to it with `/` separators. */
function sourceFiles(root: string): string[] {
  const out: string[] = []
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.name.endsWith('.ts')) out.push(relative(root, path).split(sep).join('/'))
    }
  }
  walk(root)
  return out.sort()
}

/**
 * The unit a file belongs to in the dependency graph: its folder under src/ (`playbook`, `template`, …); a file
 * at the top of src/ is a unit of its own (errors.ts is imported by every folder, engine.ts imports most).
 */
function unitOf(file: string): string {
  const slash = file.indexOf('/')
  return slash === -1 ? file : file.slice(0, slash)
}

/** The relative imports and re-exports of a file (static, type-only and dynamic alike). */
function importsOf(text: string): string[] {
  const out: string[] = []
  for (const m of text.matchAll(/\b(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g))
    out.push(m[1]!)
  return out
}

/** Edges between units, each with the imports that make it: `playbook -> inventory: playbook/kv-args.ts`. */
function unitGraph(root: string): Map<string, Map<string, string[]>> {
  const graph = new Map<string, Map<string, string[]>>()
  for (const file of sourceFiles(root)) {
    const from = unitOf(file)
    for (const spec of importsOf(readFileSync(join(root, file), 'utf8'))) {
      const target = relative(root, resolve(root, dirname(file), spec))
        .split(sep)
        .join('/')
      const to = unitOf(target.replace(/\.js$/, '.ts'))
      if (to === from) continue
      const edges = graph.get(from) ?? new Map<string, string[]>()
      graph.set(from, edges)
      edges.set(to, [...(edges.get(to) ?? []), file])
    }
  }
  return graph
}

/** Each cycle between units, as the units in order and the files whose imports close it. */
function unitCycles(root: string): string[] {
  const graph = unitGraph(root)
  const cycles: string[] = []
  const state = new Map<string, 'open' | 'done'>()
  const path: string[] = []
  const visit = (unit: string): void => {
    state.set(unit, 'open')
    path.push(unit)
    for (const next of [...(graph.get(unit)?.keys() ?? [])].sort()) {
      if (state.get(next) === 'open') {
        const loop = [...path.slice(path.indexOf(next)), next]
        const files = loop
          .slice(1)
          .map((to, i) => `${loop[i]} -> ${to} (${graph.get(loop[i]!)!.get(to)!.join(', ')})`)
        cycles.push(files.join('; '))
      } else if (!state.has(next)) visit(next)
    }
    path.pop()
    state.set(unit, 'done')
  }
  for (const unit of [...graph.keys()].sort()) if (!state.has(unit)) visit(unit)
  return cycles
}

describe('the shape of src/', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'apb-arch-'))
  afterAll(() => rmSync(scratch, { recursive: true, force: true }))

  it('has no import cycle between folders (data flows one way: playbook and inventory, then templating)', () => {
    expect(unitCycles(SRC)).toEqual([])
  })

  it('keeps src/values/ (YAML, Python literals and JSON, isRecord, !unsafe) a leaf that imports no other folder', () => {
    expect(Object.fromEntries(unitGraph(SRC).get('values') ?? [])).toEqual({})
    // Inventory and templating read Python literals and YAML from there, not from each other.
    const graph = unitGraph(SRC)
    for (const [from, to] of [
      ['template', 'inventory'],
      ['playbook', 'inventory'],
      ['inventory', 'playbook'],
      ['inventory', 'template']
    ])
      expect(graph.get(from!)?.get(to!), `${from} -> ${to}`).toBeUndefined()
  })

  it('names the cycle and the files that make it, when there is one', () => {
    const write = (file: string, text: string): void => {
      mkdirSync(dirname(join(scratch, file)), { recursive: true })
      writeFileSync(join(scratch, file), text)
    }
    write('playbook/loader.ts', "import { parse } from '../inventory/literal.js'\n")
    write('inventory/literal.ts', "import type { Task } from '../playbook/types.js'\n")
    write('playbook/types.ts', 'export interface Task { name: string }\n')
    write('errors.ts', 'export class E extends Error {}\n')
    write('template/render.ts', "import { E } from '../errors.js'\n")
    expect(unitCycles(scratch)).toEqual([
      'inventory -> playbook (inventory/literal.ts); playbook -> inventory (playbook/loader.ts)'
    ])
  })

  it('has one check for "a mapping" (isRecord in src/values/records.ts), not one per folder', () => {
    const definitions = sourceFiles(SRC).flatMap((file) =>
      [
        ...readFileSync(join(SRC, file), 'utf8').matchAll(
          /function (\w+)\(\w+: unknown\): \w+ is Record<string, unknown>/g
        )
      ].map((m) => `${file}: ${m[1]}`)
    )
    expect(definitions).toEqual(['values/records.ts: isRecord'])
    // Nor other names for it (the old isMapping and isPlainObject).
    const aliases = sourceFiles(SRC).filter((file) =>
      /\b(?:isMapping|isPlainObject)\b/.test(readFileSync(join(SRC, file), 'utf8'))
    )
    expect(aliases).toEqual([])
  })

  it('defines kindOf, isFile and byCodePoint once each, in a shared place', () => {
    const definitions = sourceFiles(SRC).flatMap((file) =>
      [
        ...readFileSync(join(SRC, file), 'utf8').matchAll(
          /(?:function|const) (kindOf|isFile|byCodePoint)\b/g
        )
      ].map((m) => `${file}: ${m[1]}`)
    )
    expect(definitions.sort()).toEqual([
      'file-kinds.ts: isFile',
      'file-kinds.ts: kindOf',
      'values/code-points.ts: byCodePoint'
    ])
  })
})
