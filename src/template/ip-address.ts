/**
 * IP addresses and networks for the ipaddr family of filters: parsing (IPv4 dotted quads, IPv6 through
 * Node's `net` validation, `/prefix` or `/netmask`), netaddr's text forms, and the address classes
 * (private, loopback, link-local, multicast) with the ranges netaddr 0.8 uses.
 */
import { isIPv6 } from 'node:net'

/** An address with its prefix, as netaddr's IPNetwork holds one (host bits kept). */
export interface IpNetwork {
  version: 4 | 6
  ip: bigint
  prefix: number
}

export const bits = (version: 4 | 6) => (version === 4 ? 32 : 128)
export const maxInt = (version: 4 | 6) => (1n << BigInt(bits(version))) - 1n

/** The netmask as an integer. */
export function netmaskOf(n: IpNetwork): bigint {
  const hostBits = BigInt(bits(n.version) - n.prefix)
  return maxInt(n.version) ^ ((1n << hostBits) - 1n)
}

export const hostmaskOf = (n: IpNetwork) => maxInt(n.version) ^ netmaskOf(n)
export const networkOf = (n: IpNetwork) => n.ip & netmaskOf(n)
export const broadcastOf = (n: IpNetwork) => networkOf(n) | hostmaskOf(n)
export const sizeOf = (n: IpNetwork) => 1n << BigInt(bits(n.version) - n.prefix)

function parseIPv4(text: string): bigint | undefined {
  const parts = text.split('.')
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255))
    return undefined
  return parts.reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n)
}

function parseIPv6(text: string): bigint | undefined {
  if (!isIPv6(text)) return undefined
  let groups = text
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (dotted) {
    const v4 = parseIPv4(dotted[1]!)
    if (v4 === undefined) return undefined
    groups = `${text.slice(0, dotted.index)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`
  }
  const [head, tail] = groups.includes('::') ? groups.split('::') : [groups, undefined]
  const left = head ? head.split(':') : []
  const right = tail ? tail.split(':') : []
  const missing = 8 - left.length - right.length
  const all = tail === undefined ? left : [...left, ...Array<string>(missing).fill('0'), ...right]
  if (all.length !== 8) return undefined
  return all.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n)
}

/** netaddr's IPAddress(n) when a number is given: IPv4 when it fits (unless IPv6 is asked for). */
export function fromInteger(value: bigint, version?: 4 | 6): IpNetwork | undefined {
  const v: 4 | 6 = version ?? (value <= maxInt(4) ? 4 : 6)
  if (value < 0n || value > maxInt(v)) return undefined
  return { version: v, ip: value, prefix: bits(v) }
}

/** An address or network from text (`a.b.c.d`, `a.b.c.d/24`, `a.b.c.d/255.255.255.0`, IPv6 forms). */
export function parseNetwork(text: string): IpNetwork | undefined {
  const slash = text.indexOf('/')
  const address = slash < 0 ? text : text.slice(0, slash)
  const prefixText = slash < 0 ? undefined : text.slice(slash + 1)
  const v4 = parseIPv4(address)
  const ip = v4 ?? parseIPv6(address)
  if (ip === undefined) return undefined
  const version: 4 | 6 = v4 !== undefined ? 4 : 6
  let prefix = bits(version)
  if (prefixText !== undefined) {
    if (/^\d+$/.test(prefixText)) prefix = Number(prefixText)
    else {
      const mask = version === 4 ? parseIPv4(prefixText) : undefined
      if (mask === undefined) return undefined
      const ones = mask.toString(2).replace(/0+$/, '')
      if (mask !== 0n && (ones.includes('0') || mask.toString(2).length !== 32)) return undefined
      prefix = mask === 0n ? 0 : ones.length
    }
    if (prefix > bits(version)) return undefined
  }
  return { version, ip, prefix }
}

/** netaddr's text for an address: dotted quad, or compact IPv6 (`::ffff:a.b.c.d` for mapped ones). */
export function formatAddress(ip: bigint, version: 4 | 6): string {
  if (version === 4) return [24n, 16n, 8n, 0n].map((s) => String((ip >> s) & 0xffn)).join('.')
  if (ip >> 32n === 0xffffn) return `::ffff:${formatAddress(ip & 0xffffffffn, 4)}`
  const groups = Array.from({ length: 8 }, (_, i) => Number((ip >> BigInt(112 - 16 * i)) & 0xffffn))
  let [bestStart, bestLength] = [-1, 0]
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLength && j - i >= 2) [bestStart, bestLength] = [i, j - i]
    i = j
  }
  const hex = groups.map((g) => g.toString(16))
  if (bestStart < 0) return hex.join(':')
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`
}

export const formatNetwork = (n: IpNetwork) => `${formatAddress(n.ip, n.version)}/${n.prefix}`

interface Range {
  first: bigint
  last: bigint
}
const cidr = (text: string): Range => {
  const n = parseNetwork(text)!
  return { first: networkOf(n), last: broadcastOf(n) }
}
/** The ranges of a class, computed on first use (node's IPv6 check compiles a large pattern: ~8 ms at start). */
const lazy = <T>(make: () => T): (() => T) => {
  let value: T | undefined
  return () => (value ??= make())
}
const V4_PRIVATE = lazy((): Range[] => [
  ...['10.0.0.0/8', '100.64.0.0/10', '172.16.0.0/12', '192.0.0.0/24', '192.168.0.0/16', '198.18.0.0/15'].map(cidr),
  { first: parseIPv4('239.0.0.0')!, last: parseIPv4('239.255.255.255')! }
]) // prettier-ignore
const V6_PRIVATE = lazy((): Range[] => ['fc00::/7', 'fec0::/10'].map(cidr))
const LINK_LOCAL = lazy(() => ({ 4: cidr('169.254.0.0/16'), 6: cidr('fe80::/10') }))
const MULTICAST = lazy(() => ({ 4: cidr('224.0.0.0/4'), 6: cidr('ff00::/8') }))

const within = (first: bigint, last: bigint, r: Range) => first >= r.first && last <= r.last

/** Whether the whole network (or the address) lies in a range of the class. */
export function isPrivate(n: IpNetwork): boolean {
  const [first, last] = [networkOf(n), broadcastOf(n)]
  const ranges = n.version === 4 ? V4_PRIVATE() : V6_PRIVATE()
  return ranges.some((r) => within(first, last, r)) || isLinkLocal(n)
}
export const isLinkLocal = (n: IpNetwork) =>
  within(networkOf(n), broadcastOf(n), LINK_LOCAL()[n.version])
export const isMulticast = (n: IpNetwork) =>
  within(networkOf(n), broadcastOf(n), MULTICAST()[n.version])
/** Loopback of the address alone (127/8, ::1). */
export const isLoopbackAddress = (ip: bigint, version: 4 | 6) =>
  version === 4 ? ip >> 24n === 127n : ip === 1n
/** netaddr's is_netmask / is_hostmask of an address. */
export const isNetmaskValue = (ip: bigint, version: 4 | 6) => {
  const x = (ip ^ maxInt(version)) + 1n
  return (x & (x - 1n)) === 0n
}
export const isHostmaskValue = (ip: bigint) => ((ip + 1n) & ip) === 0n

/** The reverse-DNS name of an address. */
export function reverseDns(ip: bigint, version: 4 | 6): string {
  if (version === 4) return `${formatAddress(ip, 4).split('.').reverse().join('.')}.in-addr.arpa.`
  return `${ip.toString(16).padStart(32, '0').split('').reverse().join('.')}.ip6.arpa.`
}
