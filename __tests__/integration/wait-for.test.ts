// wait_for on a real target (the local connection runs /bin/sh here): ports opened by a listener of
// the test, files that appear or change, drained connections, the timeout messages, and the tools the
// remote script falls back to.
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { createServer, connect, type Server, type Socket } from 'node:net'
import { homedir, tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Connection } from '../../src/connection/connection.js'
import { openLocalConnection } from '../../src/connection/local-connection.js'
import { runModuleOn } from '../helpers/module-harness.js'

let dir: string
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'apb-wait-for-'))
})
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

const wait = (args: Record<string, unknown>, check = false) =>
  runModuleOn('wait_for', args, { flags: { check, diff: false } }).then((r) => r.result)

/** A listener on 127.0.0.1 (an ephemeral port), accepting and holding connections. */
async function listen(): Promise<{ server: Server; port: number; accepted: Socket[] }> {
  const accepted: Socket[] = []
  const server = createServer((socket) => {
    accepted.push(socket)
    socket.on('error', () => {})
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  return { server, port: address.port, accepted }
}

/** A port nothing listens on: one a listener had, closed again. */
async function closedPort(): Promise<number> {
  const { server, port } = await listen()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

describe('wait_for: ports', () => {
  it('finds a listening port started, with Ansible result fields', async () => {
    const { server, port } = await listen()
    try {
      const result = await wait({ port, timeout: 20 })
      // elapsed: whole seconds the wait took, which a busy machine may make more than 0.
      expect(result).toEqual({
        changed: false,
        elapsed: expect.any(Number),
        match_groupdict: {},
        match_groups: [],
        path: null,
        port,
        search_regex: null,
        state: 'started'
      })
    } finally {
      server.close()
    }
  })

  it('times out on a port that never opens, with its message, the msg override and elapsed', async () => {
    const port = await closedPort()
    const result = await wait({ port, timeout: 1 })
    expect(result).toMatchObject({
      changed: false,
      failed: true,
      msg: `Timeout when waiting for 127.0.0.1:${port}`
    })
    expect(result['elapsed']).toBeGreaterThanOrEqual(1)
    expect(await wait({ port, timeout: 1, msg: 'service down' })).toMatchObject({
      failed: true,
      msg: 'service down'
    })
  })

  it('finds a closed port stopped, and times out on an open one', async () => {
    const port = await closedPort()
    expect(await wait({ port, state: 'stopped' })).toMatchObject({ state: 'stopped', port })
    const { server, port: open } = await listen()
    try {
      expect(await wait({ port: open, state: 'stopped', timeout: 1 })).toMatchObject({
        failed: true,
        msg: `Timeout when waiting for 127.0.0.1:${open} to stop.`
      })
    } finally {
      server.close()
    }
  })

  it('drained: counts established connections, except from exclude_hosts', async () => {
    const { server, port, accepted } = await listen()
    const client = connect(port, '127.0.0.1')
    await new Promise<void>((resolve) => client.once('connect', resolve))
    try {
      expect(await wait({ port, state: 'drained', timeout: 1 })).toMatchObject({
        failed: true,
        msg: `Timeout when waiting for 127.0.0.1:${port} to drain`
      })
      expect(
        await wait({ port, state: 'drained', exclude_hosts: ['127.0.0.1'], timeout: 5 })
      ).toMatchObject({ state: 'drained', port })
      expect(
        await wait({ port, state: 'drained', active_connection_states: ['SYN_SENT'] })
      ).toMatchObject({ state: 'drained' })
    } finally {
      // The client closes first: the TIME_WAIT is then its own, not on the listening port.
      client.destroy()
      for (const s of accepted) s.destroy()
      server.close()
    }
  })

  it('refuses what Ansible refuses, with its messages', async () => {
    expect(await wait({ port: 1, path: '/x' })).toMatchObject({
      failed: true,
      msg: 'port and path parameter can not both be passed to wait_for'
    })
    expect(await wait({ port: 1, exclude_hosts: ['10.0.0.1'] })).toMatchObject({
      failed: true,
      msg: 'exclude_hosts should only be with state=drained'
    })
    expect(
      await wait({ port: 1, state: 'drained', active_connection_states: ['LISTEN'] })
    ).toMatchObject({
      failed: true,
      msg: 'unknown active_connection_state (LISTEN) defined'
    })
    expect(await wait({ port: 1, shiny: true })).toMatchObject({
      failed: true,
      msg: expect.stringContaining('Unsupported parameters for (wait_for) module: shiny')
    })
  })

  it('refuses search_regex on a port by name, and drained for a host name', async () => {
    await expect(wait({ port: 22, search_regex: 'OpenSSH' })).rejects.toThrow(
      /search_regex is supported with path, not yet with port/
    )
    await expect(wait({ port: 22, state: 'drained', host: 'example.org' })).rejects.toThrow(
      /state=drained needs host as IP addresses/
    )
  })
})

describe('wait_for: paths', () => {
  it('finds a file present, with the path fields Ansible adds', async () => {
    const file = path.join(dir, 'present')
    writeFileSync(file, 'hello\n', { mode: 0o640 })
    const result = await wait({ path: file })
    expect(result).toMatchObject({
      changed: false,
      path: file,
      port: null,
      state: 'file',
      mode: '0640',
      size: 6,
      match_groups: [],
      match_groupdict: {}
    })
    expect(typeof result['owner']).toBe('string')
    const link = path.join(dir, 'link')
    symlinkSync(file, link)
    expect(await wait({ path: link })).toMatchObject({ state: 'link' })
    expect(await wait({ path: dir })).toMatchObject({ state: 'directory' })
  })

  it('waits for text matching search_regex, with groups and named groups (Python syntax)', async () => {
    const file = path.join(dir, 'log')
    writeFileSync(file, 'starting\n')
    const waiting = wait({ path: file, search_regex: '^(?P<word>re\\w+) (\\d+)$', timeout: 60 })
    appendFileSync(file, 'ready 42\n')
    expect(await waiting).toMatchObject({
      path: file,
      search_regex: '^(?P<word>re\\w+) (\\d+)$',
      match_groups: ['ready', '42'],
      match_groupdict: { word: 'ready' },
      state: 'file'
    })
  })

  it('waits for a file to appear', async () => {
    const file = path.join(dir, 'appears')
    const waiting = wait({ path: file, timeout: 60 })
    writeFileSync(file, '')
    expect(await waiting).toMatchObject({ path: file, state: 'file', size: 0 })
  })

  it('times out with Ansible messages: missing file, regex never matching, file never absent', async () => {
    const missing = path.join(dir, 'never')
    expect(await wait({ path: missing, timeout: 1 })).toMatchObject({
      failed: true,
      msg: `Timeout when waiting for file ${missing}`
    })
    const file = path.join(dir, 'stays')
    writeFileSync(file, 'nothing here\n')
    expect(await wait({ path: file, search_regex: 'READY', timeout: 1 })).toMatchObject({
      failed: true,
      msg: `Timeout when waiting for search string READY in ${file}`
    })
    expect(await wait({ path: file, state: 'absent', timeout: 1 })).toMatchObject({
      failed: true,
      msg: `Timeout when waiting for ${file} to be absent.`
    })
    expect(await wait({ path: missing, state: 'absent' })).toMatchObject({
      state: 'absent',
      path: missing
    })
  })

  it('fails at once where the path cannot be looked up, with the errno text', async () => {
    const file = path.join(dir, 'plain')
    writeFileSync(file, 'x')
    const result = await wait({ path: `${file}/below`, timeout: 300 })
    expect(result).toMatchObject({
      failed: true,
      elapsed: expect.any(Number),
      msg: `Failed to stat ${file}/below, Not a directory`
    })
    // At once: it did not wait its timeout out (a generous bound; the test's own limit is lower).
    expect(result['elapsed']).toBeLessThan(300)
  })

  it('refuses states meant for ports and a bad regex', async () => {
    expect(await wait({ path: '/x', state: 'stopped' })).toMatchObject({
      failed: true,
      msg: 'state=stopped should only be used for checking a port in the wait_for module'
    })
    expect(await wait({ path: '/x', search_regex: '(' })).toMatchObject({
      failed: true,
      msg: 'Invalid regular expression: missing ), unterminated subpattern at position 0'
    })
  })

  // Ansible 2.14's wait_for module does not declare check mode support (whatever its documentation
  // says): ansible-playbook --check skips it (differential fixture check-mode-control.yml).
  it('is skipped in check mode, as Ansible 2.14 skips it, without waiting', async () => {
    const file = path.join(dir, 'checked')
    writeFileSync(file, 'x')
    expect(await wait({ path: file }, true)).toEqual({
      changed: false,
      skipped: true,
      msg: 'remote module (wait_for) does not support check mode'
    })
    expect(await wait({ path: path.join(dir, 'never'), timeout: 30 }, true)).toMatchObject({
      skipped: true
    })
  })
})

describe('wait_for: the tools the target has', () => {
  /** A connection whose commands see only `tools` (symbolic links in a directory on PATH). */
  function limitedTo(tools: string[]): () => Promise<Connection> {
    const bin = path.join(dir, `bin-${tools.join('-')}`)
    mkdirSync(bin, { recursive: true })
    for (const tool of tools) {
      for (const where of ['/usr/bin', '/bin']) {
        try {
          symlinkSync(path.join(where, tool), path.join(bin, tool))
          break
        } catch {
          // Not there (or already linked).
        }
      }
    }
    return async () => {
      const local = openLocalConnection('localhost')
      return {
        ...local,
        host: local.host,
        run: (command, options) => local.run(`PATH=${bin}; export PATH; ${command}`, options),
        putFile: local.putFile.bind(local),
        getFile: local.getFile.bind(local),
        close: local.close.bind(local)
      }
    }
  }
  const base = ['date', 'sleep', 'awk', 'cat', 'ls', 'grep', 'printf']

  it('reads /proc/net/tcp for a local port when no client tool is installed', async () => {
    const { server, port } = await listen()
    try {
      const { result } = await runModuleOn(
        'wait_for',
        { port, timeout: 10 },
        { connect: limitedTo(base) }
      )
      expect(result).toMatchObject({ state: 'started', port })
    } finally {
      server.close()
    }
  })

  it.skipIf(!['/usr/bin/busybox', '/bin/busybox'].some((p) => existsSync(p)))(
    'connects with busybox nc where it is the only client',
    async () => {
      const { server, port } = await listen()
      try {
        const closed = await closedPort()
        const connect = limitedTo([...base, 'busybox'])
        expect(
          (await runModuleOn('wait_for', { port, timeout: 10 }, { connect })).result
        ).toMatchObject({ state: 'started', port })
        expect(
          (await runModuleOn('wait_for', { port: closed, timeout: 1 }, { connect })).result
        ).toMatchObject({ failed: true, msg: `Timeout when waiting for 127.0.0.1:${closed}` })
      } finally {
        server.close()
      }
    }
  )

  it('takes a path that appears between its two looks for present, not for an error', async () => {
    // An `ls` that makes the file first: the path is missing when tested, and there when ls asks why.
    const file = path.join(dir, 'appears-between')
    const bin = path.join(dir, 'bin-racing-ls')
    mkdirSync(bin, { recursive: true })
    writeFileSync(path.join(bin, 'ls'), `#!/bin/sh\n: > '${file}'\nexec /bin/ls "$@"\n`, {
      mode: 0o755
    })
    const connect = async (): Promise<Connection> => {
      const local = openLocalConnection('localhost')
      return {
        ...local,
        host: local.host,
        run: (command, options) => local.run(`PATH=${bin}:$PATH; export PATH; ${command}`, options),
        putFile: local.putFile.bind(local),
        getFile: local.getFile.bind(local),
        close: local.close.bind(local)
      }
    }
    const { result } = await runModuleOn('wait_for', { path: file, timeout: 30 }, { connect })
    expect(result).toMatchObject({ path: file, state: 'file' })
    expect(result['failed']).toBeUndefined()
  })

  it('names the missing tools for a remote host', async () => {
    await expect(
      runModuleOn(
        'wait_for',
        { port: 80, host: '192.0.2.1', timeout: 1 },
        { connect: limitedTo(base) }
      )
    ).rejects.toThrow(/needs nc, ncat, bash or busybox nc .* none is installed/)
  })
})

describe('wait_for: paths of type path', () => {
  it('expands ~ on the target and reports the expanded path', async () => {
    const result = await wait({ path: '~' })
    expect(result).toMatchObject({ path: homedir(), state: 'directory' })
  })
})
