// ansibleBoolean: the one reader of Ansible's booleans, in its three modes.
import { describe, expect, it } from 'vitest'
import { ansibleBoolean, NotABooleanError, VALID_BOOLEANS } from '../../src/ansible-boolean.js'

const TRUE = ['y', 'yes', 'on', '1', 'true', 't', 'YES', 'On', 'True', ' yes ', 'T', 1, 1.0, true]
const FALSE = ['n', 'no', 'off', '0', 'false', 'f', 'NO', 'Off', 'FALSE', '\tno\n', 'F', 0, false]

describe('ansibleBoolean strict (boolean(value))', () => {
  it.each(TRUE)('reads %j as true', (value) => {
    expect(ansibleBoolean(value, 'strict')).toBe(true)
  })

  it.each(FALSE)('reads %j as false', (value) => {
    expect(ansibleBoolean(value, 'strict')).toBe(false)
  })

  it.each([
    ['maybe', 'maybe'],
    ['', ''],
    [2, '2'],
    [1.5, '1.5'],
    [null, 'None'],
    ['yess', 'yess']
  ])('refuses %j with Ansible’s message', (value, shown) => {
    expect(() => ansibleBoolean(value, 'strict')).toThrow(NotABooleanError)
    expect(() => ansibleBoolean(value, 'strict')).toThrow(
      `The value '${shown}' is not a valid boolean.  Valid booleans include: ${VALID_BOOLEANS}`
    )
  })

  it('lists the fourteen valid booleans of Ansible’s message', () => {
    expect(VALID_BOOLEANS).toBe(
      "'y', 'yes', 'on', '1', 'true', 't', 1, 'n', 'no', 'off', '0', 'false', 'f', 0"
    )
  })
})

describe('ansibleBoolean lenient (boolean(value, strict=False))', () => {
  it('reads the same words as strict', () => {
    for (const value of TRUE) expect(ansibleBoolean(value, 'lenient')).toBe(true)
    for (const value of FALSE) expect(ansibleBoolean(value, 'lenient')).toBe(false)
  })

  it('reads anything else as false', () => {
    for (const value of ['maybe', '', 2, -1, 0.5, null, undefined])
      expect(ansibleBoolean(value, 'lenient')).toBe(false)
  })
})

describe('lists and mappings, which Python cannot look up in its sets', () => {
  it('are refused in strict and lenient mode with Python’s message', () => {
    for (const mode of ['strict', 'lenient'] as const) {
      expect(() => ansibleBoolean(['yes'], mode)).toThrow("unhashable type: 'list'")
      expect(() => ansibleBoolean({ a: 1 }, mode)).toThrow("unhashable type: 'dict'")
    }
  })

  it('are false for the bool filter', () => {
    expect(ansibleBoolean(['yes'], 'filter')).toBe(false)
    expect(ansibleBoolean({ a: 1 }, 'filter')).toBe(false)
  })
})

describe('ansibleBoolean filter (the bool filter)', () => {
  it('is true only for yes/on/1/true in any case, the number 1 and true', () => {
    for (const value of ['yes', 'ON', '1', 'True', 1, 1.0, true])
      expect(ansibleBoolean(value, 'filter')).toBe(true)
  })

  it('is false for every other word, unlike boolean(): y, t and blanks around a word', () => {
    for (const value of ['y', 't', ' yes', 'no', 'maybe', '', 2, 0, null, false])
      expect(ansibleBoolean(value, 'filter')).toBe(false)
  })
})
