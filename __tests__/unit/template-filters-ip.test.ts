import { describe, expect, it } from 'vitest'
import { TemplateError } from '../../src/errors.js'
import { Templar } from '../../src/template/index.js'

// Expected values below come from Ansible 2.14 with ansible.utils and netaddr 0.8.
const t = new Templar()
const ev = (expression: string, vars: Record<string, unknown> = {}) => t.evaluate(expression, vars)
const errorOf = (fn: () => unknown): string => {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(TemplateError)
    return (err as Error).message
  }
  throw new Error('expected a TemplateError')
}

describe('ipaddr', () => {
  it('validates addresses and networks, keeping how they were written', () => {
    expect(ev("'192.168.1.10' | ipaddr")).toBe('192.168.1.10')
    expect(ev("'192.168.1.10/24' | ipaddr")).toBe('192.168.1.10/24')
    expect(ev("'192.168.1.10/255.255.255.0' | ipaddr")).toBe('192.168.1.10/24')
    expect(ev("'2001:DB8:0:0::1' | ipaddr")).toBe('2001:db8::1')
    expect(ev("'192.168.001.010' | ipaddr")).toBe('192.168.1.10')
    expect(ev("'hello' | ipaddr")).toBe(false)
    expect(ev("'' | ipaddr")).toBe(false)
    expect(ev("'192.168.1.10 255.255.255.0' | ipaddr")).toBe(false)
    expect(ev('42 | ipaddr')).toBe('0.0.0.42')
    expect(errorOf(() => ev('None | ipaddr'))).toBe(
      "Unrecognized type <<class 'NoneType'>> for ipaddr filter <value>"
    )
  })
  it('answers the common queries', () => {
    const q = (value: string, query: string) => ev(`'${value}' | ipaddr('${query}')`)
    expect(q('192.168.0.0/24', 'net')).toBe('192.168.0.0/24')
    expect(q('192.168.1.10/24', 'net')).toBeNull()
    expect(q('192.168.1.10/24', 'address')).toBe('192.168.1.10')
    expect(q('192.168.1.0/24', 'address')).toBeNull()
    expect(q('192.168.1.10/24', 'network')).toBe('192.168.1.0')
    expect(q('192.168.1.10/24', 'netmask')).toBe('255.255.255.0')
    expect(q('192.168.1.10/24', 'hostmask')).toBe('0.0.0.255')
    expect(q('192.168.1.10/24', 'prefix')).toBe(24)
    expect(q('192.168.1.10/24', 'broadcast')).toBe('192.168.1.255')
    expect(q('192.168.1.10/24', 'host')).toBe('192.168.1.10/24')
    expect(q('192.168.1.10', 'host')).toBe('192.168.1.10/32')
    expect(q('192.168.1.10/24', 'subnet')).toBe('192.168.1.0/24')
    expect(q('192.168.1.10/24', 'network/prefix')).toBe('192.168.1.0/24')
    expect(q('192.168.1.0/24', 'host/prefix')).toBe(false)
    expect(q('192.168.1.10/24', 'size')).toBe(256)
    expect(q('2001:db8::/32', 'size')).toBe('79228162514264337593543950336')
    expect(q('192.168.1.10/24', 'range_usable')).toBe('192.168.1.1-192.168.1.254')
    expect(q('10.0.0.1/31', 'first_usable')).toBe('10.0.0.0')
    expect(q('192.168.1.10/24', 'next_usable')).toBe('192.168.1.11')
    expect(q('192.168.1.0/24', 'previous_usable')).toBeNull()
    expect(q('172.16.5.4/12', 'size_usable')).toBe(1048574)
    expect(q('192.168.1.10/24', 'type')).toBe('address')
    expect(q('192.168.1.0/24', 'type')).toBe('network')
    expect(q('192.168.1.10', 'revdns')).toBe('10.1.168.192.in-addr.arpa.')
    expect(q('192.168.1.10/24', 'int')).toBe('3232235786/24')
    expect(q('192.168.1.10', 'int')).toBe(3232235786)
    expect(q('192.168.1.10', 'version')).toBe(4)
    expect(q('192.168.1.10/24', '1')).toBe('192.168.1.1/24')
    expect(q('192.168.1.10/24', '-1')).toBe('192.168.1.255/24')
    expect(errorOf(() => q('192.168.1.10', 'first_usable'))).toBe('Not a network address')
    expect(errorOf(() => q('192.168.1.10', 'foo'))).toBe('ipaddr: unknown filter type: foo')
  })
  it('public, private, loopback, multicast, link-local', () => {
    const q = (value: string, query: string) => ev(`'${value}' | ipaddr('${query}')`)
    expect(q('8.8.8.8', 'public')).toBe('8.8.8.8')
    expect(q('192.168.1.10', 'public')).toBeNull()
    expect(q('192.168.1.10', 'private')).toBe('192.168.1.10')
    expect(q('100.64.1.1', 'private')).toBe('100.64.1.1')
    expect(q('fe80::1/64', 'private')).toBe('fe80::1/64')
    expect(q('fe80::1/64', 'link-local')).toBe('fe80::1/64')
    expect(q('127.0.0.1', 'loopback')).toBe('127.0.0.1')
    expect(q('::1', 'lo')).toBe('::1')
    expect(q('224.0.0.1', 'multicast')).toBe('224.0.0.1')
    expect(q('224.0.0.1', 'unicast')).toBeNull()
  })
  it('IPv6 forms, wrap, conversions and a network as the query', () => {
    expect(ev("'2001:db8::1/64' | ipaddr('network')")).toBe('2001:db8::')
    expect(ev("'2001:db8::1/64' | ipaddr('netmask')")).toBe('ffff:ffff:ffff:ffff::')
    expect(ev("'2001:db8::1/64' | ipaddr('wrap')")).toBe('[2001:db8::1]/64')
    expect(ev("'192.168.1.10/24' | ipaddr('ipv6')")).toBe('::ffff:192.168.1.10/120')
    expect(ev("'::1' | ipaddr('ipv4')")).toBe('0.0.0.1/32')
    expect(ev("'2001:db8::1' | ipaddr('ipv4')")).toBe(false)
    expect(ev("'192.168.1.10' | ipaddr('192.168.0.0/16')")).toBe('192.168.1.10')
    expect(ev("'192.168.1.10' | ipaddr('10.0.0.0/8')")).toBeNull()
    expect(ev("'192.168.1.10' | ipaddr('6to4')")).toBe('2002:c0a8:010a::1/48')
    expect(ev("'10.0.0.1/30' | ipaddr('peer')")).toBe('10.0.0.2')
  })
  it('lists keep only what matches', () => {
    const list = ['192.168.1.1', '10.0.0.0/8', 'hello', '2001:db8::1', '', 42, true]
    expect(ev('l | ipaddr', { l: list })).toEqual([
      '192.168.1.1',
      '10.0.0.0/8',
      '2001:db8::1',
      '0.0.0.42'
    ])
    expect(ev("l | ipaddr('net')", { l: list })).toEqual(['10.0.0.0/8'])
    expect(ev("l | ipaddr('public')", { l: list })).toEqual(['2001:db8::1', '0.0.0.42/32'])
    expect(ev('l | ipv4', { l: list })).toEqual(['192.168.1.1', '10.0.0.0/8', '0.0.0.42'])
    expect(ev('l | ipv6', { l: list })).toEqual(['2001:db8::1', '::2a'])
    expect(ev('l | ipwrap', { l: list })).toEqual([
      '192.168.1.1',
      '10.0.0.0/8',
      'hello',
      '[2001:db8::1]',
      '',
      '0.0.0.42/32',
      true
    ])
  })
})

describe('ipv4, ipv6, ipwrap and their collection names', () => {
  it('filter by version', () => {
    expect(ev("'192.168.1.10/24' | ipv4")).toBe('192.168.1.10/24')
    expect(ev("'192.168.1.10/24' | ipv6")).toBe(false)
    expect(ev("'2001:db8::1/64' | ipv6('address')")).toBe('2001:db8::1')
    expect(ev("'192.168.1.10' | ipv4('ipv6')")).toBe('::ffff:192.168.1.10/128')
    expect(ev('42 | ipv6')).toBe('::2a')
  })
  it('ipwrap brackets IPv6 and leaves everything else', () => {
    expect(ev("'2001:db8::1' | ipwrap")).toBe('[2001:db8::1]')
    expect(ev("'192.168.1.10' | ipwrap")).toBe('192.168.1.10')
    expect(ev("'hello' | ipwrap")).toBe('hello')
    expect(errorOf(() => ev('42 | ipwrap'))).toBe(
      "Unrecognized type <<class 'int'>> for ipwrap filter <value>"
    )
  })
  it('answers to ansible.utils. and ansible.netcommon. names', () => {
    expect(ev("'192.168.0.0/24' | ansible.utils.ipaddr('net')")).toBe('192.168.0.0/24')
    expect(ev("'192.168.0.0/24' | ansible.netcommon.ipaddr('network')")).toBe('192.168.0.0')
    expect(ev("'::1' | ansible.utils.ipwrap")).toBe('[::1]')
    expect(ev("'::1' | ansible.utils.ipv6")).toBe('::1')
    expect(ev("'::1' | ansible.utils.ipv4")).toBe(false)
  })
})
