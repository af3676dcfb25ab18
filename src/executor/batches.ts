// The linear strategy's partition of a play's hosts: the shard this run takes (--shard / the `shard`
// input), then the batches `serial` cuts it into.
import { PlaybookError } from '../errors.js'
import type { Play } from '../playbook/types.js'

/**
 * The hosts of one shard. A host's shard follows from its position in the whole inventory, so it is the
 * same in every play, and a matrix of `count` jobs covers every host exactly once.
 */
export function inShard(
  hosts: string[],
  inventoryOrder: string[],
  shard: { index: number; count: number }
): string[] {
  const position = new Map(inventoryOrder.map((h, i) => [h, i]))
  return hosts.filter((h) => ((position.get(h) ?? 0) % shard.count) + 1 === shard.index)
}

/** Splits hosts into batches by `serial` (a number, a percentage, or a list of them). */
export function batches(hosts: string[], serial: unknown, play: Play): string[][] {
  if (serial === undefined || serial === null || serial === 0 || serial === '0') return [hosts]
  const sizes = (Array.isArray(serial) ? serial : [serial]).map((s) => {
    const text = String(s).trim()
    const pct = /^(\d+(?:\.\d+)?)%$/.exec(text)
    const n = pct ? Math.floor((hosts.length * Number(pct[1])) / 100) : Number(text)
    if (!Number.isFinite(n) || n < 0) {
      throw new PlaybookError(
        `'serial' must be a number, a percentage such as '30%' or a list of them, got '${text}'`,
        play.location
      )
    }
    return Math.max(1, n)
  })
  const out: string[][] = []
  let i = 0
  let k = 0
  while (i < hosts.length) {
    const size = sizes[Math.min(k, sizes.length - 1)]!
    out.push(hosts.slice(i, i + size))
    i += size
    k++
  }
  return out
}
