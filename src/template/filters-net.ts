/**
 * The ipaddr family (ansible.utils' ipaddr, ipv4, ipv6, ipwrap, also under their ansible.utils. and
 * ansible.netcommon. names): validate and convert IP addresses and networks, with the common queries.
 * Learnt from running ansible.utils against netaddr; written here over src/template/ip-address.ts.
 */
import { TemplateError } from '../errors.js'
import { type FilterFunction, toText } from './filter-args.js'
import {
  type IpNetwork,
  bits,
  broadcastOf,
  formatAddress,
  formatNetwork,
  fromInteger,
  hostmaskOf,
  isHostmaskValue,
  isLinkLocal,
  isLoopbackAddress,
  isMulticast,
  isNetmaskValue,
  isPrivate,
  netmaskOf,
  networkOf,
  parseNetwork,
  reverseDns,
  sizeOf
} from './ip-address.js'
import { pyTypeName } from './python.js'

/** What a query sees: the parsed network, how it was written, and the value to hand back. */
interface Subject {
  n: IpNetwork
  written: 'address' | 'network'
  value: string
}

type Query = (s: Subject) => unknown

const addr = (n: IpNetwork, ip = n.ip) => formatAddress(ip, n.version)
const withPrefix = (n: IpNetwork, ip = n.ip) => `${addr(n, ip)}/${n.prefix}`
const isHostOfNetwork = (n: IpNetwork) => n.ip !== networkOf(n)
/** netaddr gives /31 and /32 (and /127, /128) networks no broadcast address. */
const hasBroadcast = (n: IpNetwork) => sizeOf(n) > 2n

/** First and last usable addresses of a network larger than one address. */
function usable(n: IpNetwork): [bigint, bigint] {
  if (sizeOf(n) === 2n) return [networkOf(n), broadcastOf(n)]
  return [networkOf(n) + 1n, broadcastOf(n) - 1n]
}

/** A query that needs a network: an address written without a prefix is refused as Ansible does. */
const onNetwork =
  (query: (n: IpNetwork) => unknown): Query =>
  (s) => {
    if (s.written === 'address') throw new TemplateError('Not a network address')
    return sizeOf(s.n) > 1n ? query(s.n) : null
  }

const hostPrefix: Query = ({ n }) =>
  sizeOf(n) > 2n && (n.ip === networkOf(n) || n.ip === broadcastOf(n)) ? false : withPrefix(n)

function toIPv4(n: IpNetwork): string | false {
  if (n.ip > 0xffffffffn && n.ip >> 32n !== 0xffffn) return false
  if (n.prefix < 96) return false
  return `${formatAddress(n.ip & 0xffffffffn, 4)}/${n.prefix - 96}`
}

const toIPv6 = (n: IpNetwork) => `::ffff:${formatAddress(n.ip, 4)}/${n.prefix + 96}`

const SIX_TO_FOUR = parseNetwork('2002::/16')!

/** The 6to4 prefix of a public or private IPv4 address; an IPv6 value inside 2002::/16 as it is. */
const sixToFour: Query = ({ n, written, value }) => {
  if (n.version === 6) {
    const inside = (n.ip & netmaskOf(SIX_TO_FOUR)) === SIX_TO_FOUR.ip
    if (written === 'address') return inside ? value : false
    return isHostOfNetwork(n) && inside ? value : false
  }
  if (sizeOf(n) > 1n && !isHostOfNetwork(n)) return false
  const host: IpNetwork = { ...n, prefix: 32 }
  if (!QUERIES.public!({ n: host, written, value }) && !isPrivate(host)) return false
  const hex = [24n, 16n, 8n, 0n].map((s) => ((n.ip >> s) & 0xffn).toString(16).padStart(2, '0'))
  return `2002:${hex[0]}${hex[1]}:${hex[2]}${hex[3]}::1/48`
}

const QUERIES: Record<string, Query> = {
  '6to4': (s) => sixToFour(s),
  '': ({ n, written }) => (written === 'address' ? addr(n) : withPrefix(n)),
  address: ({ n }) =>
    sizeOf(n) === 1n || isHostOfNetwork(n) || !hasBroadcast(n) || n.version === 6 ? addr(n) : null,
  'address/prefix': hostPrefix,
  bool: () => true,
  broadcast: ({ n }) => (hasBroadcast(n) ? addr(n, broadcastOf(n)) : null),
  cidr: ({ n }) => withPrefix(n),
  first_usable: onNetwork((n) => addr(n, usable(n)[0])),
  host: ({ n }) =>
    sizeOf(n) === 1n || isHostOfNetwork(n) || !hasBroadcast(n) ? withPrefix(n) : null,
  hostmask: ({ n }) => addr(n, hostmaskOf(n)),
  int: ({ n, written }) => (written === 'address' ? bigNumber(n.ip) : `${n.ip}/${n.prefix}`),
  'ip/prefix': ({ n }) =>
    sizeOf(n) === 2n || (sizeOf(n) > 1n && isHostOfNetwork(n)) ? withPrefix(n) : null,
  ip_netmask: ({ n }) =>
    sizeOf(n) === 2n || (sizeOf(n) > 1n && isHostOfNetwork(n))
      ? `${addr(n)} ${addr(n, netmaskOf(n))}`
      : null,
  ipv4: ({ n, value }) => (n.version === 6 ? toIPv4(n) : value),
  ipv6: ({ n, value }) => (n.version === 4 ? toIPv6(n) : value),
  last_usable: onNetwork((n) => addr(n, usable(n)[1])),
  'link-local': ({ n, value }) => (isLinkLocal({ ...n, prefix: bits(n.version) }) ? value : null),
  loopback: ({ n, value }) => (isLoopbackAddress(n.ip, n.version) ? value : null),
  multicast: ({ n, value }) => (isMulticast(n) ? value : null),
  net: ({ n }) => (sizeOf(n) > 1n && !isHostOfNetwork(n) ? withPrefix(n) : null),
  netmask: ({ n }) => addr(n, netmaskOf(n)),
  network: ({ n }) => addr(n, networkOf(n)),
  'network/prefix': ({ n }) => withPrefix(n, networkOf(n)),
  network_netmask: ({ n }) => `${addr(n, networkOf(n))} ${addr(n, netmaskOf(n))}`,
  network_wildcard: ({ n }) => `${addr(n, networkOf(n))} ${addr(n, hostmaskOf(n))}`,
  next_usable: onNetwork((n) => {
    const [first, last] = usable(n)
    const next = n.ip + 1n
    return next >= first && next <= last ? addr(n, next) : null
  }),
  peer: (s) => {
    if (s.written === 'address') throw new TemplateError('Not a network address')
    const { n } = s
    if (sizeOf(n) === 2n) return addr(n, n.ip ^ 1n)
    if (sizeOf(n) === 4n) {
      if (n.ip % 4n === 0n) throw new TemplateError('Network address of /30 has no peer')
      if (n.ip % 4n === 3n) throw new TemplateError('Broadcast address of /30 has no peer')
      return addr(n, n.ip ^ 3n)
    }
    throw new TemplateError('Not a point-to-point network')
  },
  prefix: ({ n }) => n.prefix,
  previous_usable: onNetwork((n) => {
    const [first, last] = usable(n)
    const previous = n.ip - 1n
    if (previous < 0n) throw new TemplateError('failed to detect a valid IP address from -1')
    return previous >= first && previous <= last ? addr(n, previous) : null
  }),
  private: ({ n, value }) => (isPrivate(n) ? value : null),
  public: ({ n, value }) =>
    !isMulticast({ ...n, prefix: bits(n.version) }) &&
    !isPrivate({ ...n, prefix: bits(n.version) }) &&
    !isLoopbackAddress(n.ip, n.version) &&
    !isNetmaskValue(n.ip, n.version) &&
    !isHostmaskValue(n.ip)
      ? value
      : null,
  range_usable: onNetwork((n) =>
    usable(n)
      .map((ip) => addr(n, ip))
      .join('-')
  ),
  revdns: ({ n }) => reverseDns(n.ip, n.version),
  size: ({ n }) => bigNumber(sizeOf(n)),
  size_usable: ({ n }) => {
    const size = sizeOf(n)
    return bigNumber(size === 1n ? 0n : size === 2n ? 2n : size - 2n)
  },
  subnet: ({ n }) => withPrefix(n, networkOf(n)),
  type: ({ n }) => (sizeOf(n) === 1n || isHostOfNetwork(n) ? 'address' : 'network'),
  unicast: ({ n, value }) => (isMulticast(n) ? null : value),
  version: ({ n }) => n.version,
  wrap: ({ n, written, value }) =>
    n.version === 6 ? (written === 'address' ? `[${addr(n)}]` : `[${addr(n)}]/${n.prefix}`) : value
}
QUERIES.ip = QUERIES.address!
QUERIES.lo = QUERIES.loopback!
QUERIES.v4 = QUERIES.ipv4!
QUERIES.v6 = QUERIES.ipv6!
QUERIES.network_id = QUERIES.network!
QUERIES.wildcard = QUERIES.hostmask!
for (const alias of ['host/prefix', 'gateway', 'gw', 'router', 'hostnet'])
  QUERIES[alias] = hostPrefix

/** Sizes beyond 2^53 (IPv6) stay exact as text would lose them; numbers otherwise. */
function bigNumber(n: bigint): number | string {
  return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n.toString()
}

/** The value as ipaddr reads it, or false when it is no IP address or network. */
function subject(value: unknown, version: 4 | 6 | undefined): Subject | false {
  if (value === true || value === false || value === '' || value === 0 || value === null)
    return false
  const text = typeof value === 'number' ? String(value) : toText(value)
  if (/^\d+$/.test(text)) {
    const n = fromInteger(BigInt(text), version)
    return n ? { n, written: 'address', value: formatNetwork(n) } : false
  }
  const n = parseNetwork(text)
  if (!n) return false
  return { n, written: text.includes('/') ? 'network' : 'address', value: text }
}

/** ipaddr(value, query) for one value; `version` for the ipv4/ipv6 filters. */
function ipaddrOne(
  value: unknown,
  query: string,
  version: 4 | 6 | undefined,
  filter: string
): unknown {
  const s = subject(value, version)
  if (s === false) return false
  const known = Object.hasOwn(QUERIES, query)
  if (query !== '' && !known && !/^-?\d+(\.\d+)?$/.test(query)) {
    // A network as the query: is the value inside it?
    const within = parseNetwork(query)
    if (within) {
      if (version !== undefined && s.n.version !== version) return false
      const inside =
        within.version === s.n.version &&
        networkOf(s.n) >= networkOf(within) &&
        broadcastOf(s.n) <= broadcastOf(within)
      return inside ? s.value : null
    }
    throw new TemplateError(`${filter}: unknown filter type: ${query}`)
  }
  if (version !== undefined && s.n.version !== version) return false
  if (known) return QUERIES[query]!(s)
  // A number: that address of the network (negative from its end).
  const index = BigInt(Math.trunc(Number(query)))
  if (sizeOf(s.n) === 1n) return s.written === 'address' ? addr(s.n) : withPrefix(s.n)
  const size = sizeOf(s.n)
  const offset = index < 0n ? size + index : index
  if (offset < 0n || offset >= size) return false
  return withPrefix(s.n, networkOf(s.n) + offset)
}

function queryArg(query: unknown): string {
  return query === undefined || query === null ? '' : toText(query)
}

function ipFilter(name: string, version: 4 | 6 | undefined): FilterFunction {
  return (value, [query], kw) => {
    const q = queryArg(kw.query ?? query)
    if (Array.isArray(value))
      return value
        .map((item) => ipaddrOne(item, q, version, name))
        .filter((r) => r !== false && r !== null && r !== '')
    if (typeof value !== 'string' && !(typeof value === 'number' && Number.isInteger(value)))
      throw new TemplateError(
        `Unrecognized type <<class '${pyTypeName(value)}'>> for ${name} filter <value>`
      )
    return ipaddrOne(value, q, version, name)
  }
}

function ipwrapOne(value: unknown, query: string): unknown {
  const s = subject(value, undefined)
  if (s === false) return value
  const result = ipaddrOne(value, query === '' ? 'wrap' : query, undefined, 'ipwrap')
  if (query !== '' && result !== false && s.n.version === 6)
    return QUERIES.wrap!({ ...s, n: parseNetwork(String(result)) ?? s.n })
  return result
}

const ipwrap: FilterFunction = (value, [query], kw) => {
  const q = queryArg(kw.query ?? query)
  if (Array.isArray(value)) return value.map((item) => ipwrapOne(item, q))
  if (typeof value !== 'string')
    throw new TemplateError(
      `Unrecognized type <<class '${pyTypeName(value)}'>> for ipwrap filter <value>`
    )
  return ipwrapOne(value, q)
}

const FAMILY: Record<string, FilterFunction> = {
  ipaddr: ipFilter('ipaddr', undefined),
  ipv4: ipFilter('ipv4', 4),
  ipv6: ipFilter('ipv6', 6),
  ipwrap
}

/** The IP filters under their short, ansible.utils., ansible.netcommon. and ansible.builtin. names. */
export const NET_FILTERS: Record<string, FilterFunction> = Object.fromEntries(
  Object.entries(FAMILY).flatMap(([name, fn]) => [
    [name, fn],
    [`ansible.utils.${name}`, fn],
    [`ansible.netcommon.${name}`, fn]
  ])
)
