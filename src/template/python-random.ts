/**
 * Python's `random.Random(seed)` for the `random` and `shuffle` filters: the Mersenne Twister (MT19937,
 * from Matsumoto and Nishimura's published algorithm) seeded as CPython 3 seeds it (an int's 32-bit
 * words; a str through its UTF-8 bytes followed by their SHA-512), with CPython's rejection sampling for
 * `randbelow`, so a seeded `random`/`shuffle` gives Ansible's result. Without a seed: the OS's randomness.
 */
import { createHash, randomInt } from 'node:crypto'
import { TemplateError } from '../errors.js'
import { pyTypeName } from './python.js'

const N = 624
const M = 397

class MersenneTwister {
  private readonly state = new Uint32Array(N)
  private index = N + 1

  constructor(key: number[]) {
    this.initByArray(key)
  }

  private initGenrand(seed: number): void {
    this.state[0] = seed >>> 0
    for (let i = 1; i < N; i++) {
      const prev = this.state[i - 1]! ^ (this.state[i - 1]! >>> 30)
      this.state[i] = (Math.imul(1812433253, prev) + i) >>> 0
    }
    this.index = N
  }

  private initByArray(key: number[]): void {
    this.initGenrand(19650218)
    const mt = this.state
    let i = 1
    let j = 0
    for (let k = Math.max(N, key.length); k > 0; k--) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30)
      mt[i] = ((mt[i]! ^ Math.imul(prev, 1664525)) + key[j]! + j) >>> 0
      i++
      j++
      if (i >= N) {
        mt[0] = mt[N - 1]!
        i = 1
      }
      if (j >= key.length) j = 0
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30)
      mt[i] = ((mt[i]! ^ Math.imul(prev, 1566083941)) - i) >>> 0
      i++
      if (i >= N) {
        mt[0] = mt[N - 1]!
        i = 1
      }
    }
    mt[0] = 0x80000000
  }

  private twist(): void {
    const mt = this.state
    for (let k = 0; k < N; k++) {
      const y = (mt[k]! & 0x80000000) | (mt[(k + 1) % N]! & 0x7fffffff)
      mt[k] = mt[(k + M) % N]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0)
    }
    this.index = 0
  }

  /** The next 32-bit output. */
  next(): number {
    if (this.index >= N) this.twist()
    let y = this.state[this.index++]!
    y ^= y >>> 11
    y ^= (y << 7) & 0x9d2c5680
    y ^= (y << 15) & 0xefc60000
    y ^= y >>> 18
    return y >>> 0
  }

  /** Python's getrandbits(k): 32-bit words from least significant, the last one cut to what is left. */
  getrandbits(k: number): bigint {
    let out = 0n
    let shift = 0n
    for (let left = k; left > 0; left -= 32) {
      let word = this.next()
      if (left < 32) word >>>= 32 - left
      out |= BigInt(word) << shift
      shift += 32n
    }
    return out
  }
}

/** The 32-bit words (least significant first) of a non-negative integer, as CPython's seed reads them. */
function words(n: bigint): number[] {
  const out: number[] = []
  for (let rest = n; rest > 0n; rest >>= 32n) out.push(Number(rest & 0xffffffffn))
  return out.length ? out : [0]
}

function seedKey(seed: unknown): number[] {
  if (typeof seed === 'boolean') return words(seed ? 1n : 0n)
  if (typeof seed === 'number' && Number.isInteger(seed)) return words(BigInt(Math.abs(seed)))
  if (typeof seed === 'string') {
    const bytes = Buffer.from(seed, 'utf8')
    const all = Buffer.concat([bytes, createHash('sha512').update(bytes).digest()])
    return words(BigInt('0x' + all.toString('hex')))
  }
  throw new TemplateError(
    `random/shuffle: a seed must be a string or an integer here, got ${pyTypeName(seed)}`
  )
}

/** A source of `randbelow(n)`: Python's seeded generator, or the OS's randomness without a seed. */
export interface RandomSource {
  below(n: number): number
}

/** Python's Random(seed) (seed given), or crypto randomness (no seed, as Ansible's SystemRandom). */
export function randomSource(seed: unknown): RandomSource {
  if (seed === undefined || seed === null) return { below: (n) => randomInt(n) }
  const mt = new MersenneTwister(seedKey(seed))
  return {
    below(n: number): number {
      const k = n.toString(2).length
      let r = mt.getrandbits(k)
      while (r >= BigInt(n)) r = mt.getrandbits(k)
      return Number(r)
    }
  }
}
