/**
 * The test HTTP(S) server (http-server.ts) in a child process of its own, for tests whose engine blocks
 * this process while it waits for an answer: the url lookup runs inside a synchronous template render, so
 * a server in the test's own event loop could never answer it.
 *
 *   const server = await startHttpServerProcess()
 *   server.base       // http://127.0.0.1:PORT (same routes as startHttpServer's)
 *   await server.close()
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { build } from 'esbuild'

export interface HttpServerProcess {
  readonly base: string
  readonly httpsBase: string
  close(): Promise<void>
}

const HELPER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'http-server.ts')

/** Bundles http-server.ts, starts it in a child Node and waits for its addresses. */
export async function startHttpServerProcess(): Promise<HttpServerProcess> {
  const dir = mkdtempSync(path.join(tmpdir(), 'apb-http-process-'))
  const entry = path.join(dir, 'entry.ts')
  writeFileSync(
    entry,
    `import { startHttpServer } from ${JSON.stringify(HELPER)}\n` +
      'const server = await startHttpServer()\n' +
      'process.stdout.write(JSON.stringify({ base: server.base, httpsBase: server.httpsBase }) + "\\n")\n' +
      // The parent closing stdin (or dying) ends the server.
      'process.stdin.resume().on("end", () => { server.close().then(() => process.exit(0)) })\n'
  )
  const bundle = path.join(dir, 'server.mjs')
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: bundle,
    // The helper finds its served files next to itself, wherever the bundle is.
    define: { 'import.meta.url': JSON.stringify(pathToFileURL(HELPER).href) },
    logLevel: 'error'
  })
  const child = spawn(process.execPath, [bundle], { stdio: ['pipe', 'pipe', 'inherit'] })
  const addresses = await new Promise<{ base: string; httpsBase: string }>((resolve, reject) => {
    let text = ''
    const hang = setTimeout(
      () => reject(new Error('the HTTP server process did not start')),
      60_000
    )
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8')
      const line = text.indexOf('\n')
      if (line < 0) return
      clearTimeout(hang)
      resolve(JSON.parse(text.slice(0, line)) as { base: string; httpsBase: string })
    })
    child.once('exit', (code) => {
      clearTimeout(hang)
      reject(new Error(`the HTTP server process exited (${code}) before it started`))
    })
  })
  return {
    ...addresses,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) resolve()
        else child.once('exit', () => resolve())
        child.stdin.end()
        rmSync(dir, { recursive: true, force: true })
      })
  }
}
