import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openConnection } from '../../src/connection/index.js'
import { runModuleCase, type CaseTarget, type ModuleCase } from '../helpers/module-harness.js'
import { sshdConnectionSettings, startSshd, type SshdFixture } from '../helpers/sshd.js'

/** The module cases, as data: one list per module (see __fixtures__/module-cases/). */
const CASES = JSON.parse(
  readFileSync(new URL('../../__fixtures__/module-cases/cases.json', import.meta.url), 'utf8')
) as Record<string, ModuleCase[]>
const ALL = Object.values(CASES).flat()

async function check(testCase: ModuleCase, target?: CaseTarget): Promise<void> {
  const outcome = await runModuleCase(testCase, target)
  expect(outcome.result).toMatchObject(outcome.expected.result)
  expect(outcome.files).toEqual(outcome.expected.files)
}

describe('module cases on the local connection', () => {
  it.each(ALL.map((c) => [`${c.module}: ${c.name}`, c] as const))('%s', async (_, testCase) => {
    await check(testCase)
  })
})

describe('module cases over ssh (the test sshd)', () => {
  let sshd: SshdFixture
  beforeAll(async () => {
    sshd = await startSshd({ name: 'module-cases' })
  })
  afterAll(async () => {
    await sshd?.stop()
  })

  it.each(ALL.map((c) => [`${c.module}: ${c.name}`, c] as const))('%s', async (_, testCase) => {
    await check(testCase, { open: () => openConnection(sshdConnectionSettings(sshd)) })
  })
})
