/** Starts a server listening; a port that cannot be had is one usage error in words, never a raw errno. */
import type {FastifyInstance} from 'fastify'

import {usageError} from '../errors.js'
import {describeOsError, osCode} from '../os-errors.js'

/** Listens on host:port and gives the address; on failure closes the server and says what to change (`what`: the flags). */
export async function listenOn(server: FastifyInstance, host: string, port: number, what: string): Promise<string> {
  try {
    return await server.listen({port, host})
  } catch (error) {
    await server.close().catch(() => undefined)
    const code = osCode(error)
    const reason = code === 'EACCES' && port < 1024 ? `${describeOsError(error)}: ports below 1024 need root` : describeOsError(error)
    throw usageError(`Cannot listen on ${host}:${port}: ${reason}. ${what}`)
  }
}
