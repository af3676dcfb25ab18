// The demo web app that examples/webapp/deploy.yml ships. Plain Node, no dependencies; CommonJS, so that
// it runs wherever the playbook copies it.
//   node server.cjs app CONFIG       serves GET /health as JSON from the settings in CONFIG (key=value lines)
//   node server.cjs store DIR PORT   serves the files in DIR, as an artifact store would
// Both stop on POST /shutdown, so that the playbook can stop what it started.
'use strict'
const fs = require('node:fs')
const http = require('node:http')
const path = require('node:path')

function readConfig(file) {
  const settings = {}
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const match = /^\s*([A-Za-z_][\w.]*)\s*=\s*(.*?)\s*$/.exec(line)
    if (match) settings[match[1]] = match[2]
  }
  return settings
}

function listen(port, handle) {
  const server = http.createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/shutdown') {
      let body = ''
      req.on('data', (chunk) => (body += chunk))
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ stopping: true, request: body ? JSON.parse(body) : null }))
        server.close()
        setImmediate(() => process.exit(0))
      })
      return
    }
    handle(req, res)
  })
  server.listen(port, '127.0.0.1')
}

const [mode, where, portText] = process.argv.slice(2)
if (mode === 'app') {
  const settings = readConfig(where)
  const version = fs.readFileSync(path.join(__dirname, 'VERSION'), 'utf8').trim()
  listen(Number(settings.port), (req, res) => {
    if (req.url !== '/health') {
      res.writeHead(404, { 'content-type': 'text/plain' })
      res.end('not found\n')
      return
    }
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ status: 'ok', version, greeting: settings.greeting ?? null }))
  })
} else if (mode === 'store') {
  listen(Number(portText), (req, res) => {
    const file = path.join(where, path.basename(decodeURIComponent(req.url ?? '/')))
    fs.readFile(file, (error, data) => {
      if (error) {
        res.writeHead(404, { 'content-type': 'text/plain' })
        res.end('not found\n')
        return
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream' })
      res.end(data)
    })
  })
} else {
  process.stderr.write('usage: node server.cjs app CONFIG | node server.cjs store DIR PORT\n')
  process.exit(2)
}
