// The floor for the server benchmarks: a bare node:http server answering fixed JSON bodies
// (captured from orgctl serve's own answers, so the bytes on the wire are the same).
//   node bare-server.mjs DIR   DIR holds get-default.json, get-max.json, put.json
// GET with a Range header -> get-max.json, other GET -> get-default.json, PUT (body read in full) -> put.json.
// Prints `bare listening on http://127.0.0.1:PORT` on stderr; SIGTERM stops it.
import {readFileSync} from 'node:fs'
import {createServer} from 'node:http'
import {join} from 'node:path'

const dir = process.argv[2]
const body = (name) => readFileSync(join(dir, name))
const bodies = {getDefault: body('get-default.json'), getMax: body('get-max.json'), put: body('put.json')}

function send(res, buffer) {
  res.writeHead(200, {'content-type': 'application/json; charset=utf-8', 'content-length': buffer.length})
  res.end(buffer)
}

const server = createServer((req, res) => {
  if (req.method === 'GET') return send(res, req.headers.range ? bodies.getMax : bodies.getDefault)
  const chunks = []
  req.on('data', (chunk) => chunks.push(chunk))
  req.on('end', () => {
    JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}')
    send(res, bodies.put)
  })
})
server.keepAliveTimeout = 72_000
server.listen(0, '127.0.0.1', () => process.stderr.write(`bare listening on http://127.0.0.1:${server.address().port}\n`))
process.once('SIGTERM', () => server.close(() => process.exit(0)))
process.once('SIGINT', () => server.close(() => process.exit(0)))
