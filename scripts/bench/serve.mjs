// `orgctl serve` for the measuring scripts: the built binary on a free loopback port, its URL read off
// its first stderr line. Every server started is stopped by stopAll() (call it in a finally).
import {spawn} from 'node:child_process'

const started = []

/** Starts `node BIN ARGS --port 0 --host 127.0.0.1` with this environment; resolves to its URL. */
export function serveOrgctl(bin, args, env) {
  const server = spawn(process.execPath, [bin, ...args, '--port', '0', '--host', '127.0.0.1'], {env, stdio: ['ignore', 'ignore', 'pipe']})
  started.push(server)
  return new Promise((resolveUrl, reject) => {
    let text = ''
    server.stderr.on('data', (chunk) => {
      text += chunk
      const match = /listening on (http:\/\/\S+)/.exec(text)
      if (match) resolveUrl(match[1])
    })
    server.on('exit', (code) => reject(new Error(`serve exited ${code}: ${text}`)))
  })
}

export function stopAll() {
  for (const server of started.splice(0)) server.kill('SIGTERM')
}
