/**
 * A fake Platform API on a loopback port, for unit tests of the HTTP client: each request is answered
 * by the handler once its body has been read. `close()` lets go of the client and the server.
 */
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'

import {ApiClient, type ApiClientOptions} from '../../src/lib/http/api-client.js'

export type FakeHandler = (req: IncomingMessage, res: ServerResponse) => void

export interface FakeApi {
  client: ApiClient
  close(): Promise<void>
}

export async function fakeApi(handler: FakeHandler, options: Partial<ApiClientOptions> = {}): Promise<FakeApi> {
  const server: Server = createServer((req, res) => {
    req.resume()
    req.on('end', () => handler(req, res))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as {port: number}
  const client = new ApiClient({baseUrl: `http://127.0.0.1:${port}`, token: 't', deadlineMs: 3000, ...options})
  return {
    client,
    async close() {
      await client.close()
      await new Promise<void>((done) => server.close(() => done()))
    },
  }
}
