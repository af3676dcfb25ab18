// The template action's `template_uid` names the template file's owner from the controller's
// /etc/passwd: read once per owner in a run, not once per template rendered.
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'

const passwdReads: string[] = []
vi.mock('node:fs', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:fs')>()
  const readFileSync = ((file: unknown, ...rest: unknown[]) => {
    if (file === '/etc/passwd') passwdReads.push(String(file))
    return (original.readFileSync as (...args: unknown[]) => unknown)(file, ...rest)
  }) as typeof original.readFileSync
  return { ...original, default: { ...original, readFileSync }, readFileSync }
})

const { templateVariables } = await import('../../src/template/template-vars.js')

const dir = mkdtempSync(path.join(tmpdir(), 'apb-template-vars-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe.skipIf(process.getuid?.() !== 0)('template_uid', () => {
  it("names another user's template from /etc/passwd, read once for many renders", () => {
    const file = path.join(dir, 'a.j2')
    writeFileSync(file, 'x')
    chownSync(file, 1, 1)
    const first = templateVariables('a.j2', file, '/tmp/a')
    expect(first['template_uid']).toBe('daemon')
    for (let i = 0; i < 5; i++) templateVariables('a.j2', file, '/tmp/a')
    expect(passwdReads).toHaveLength(1)
  })
})
