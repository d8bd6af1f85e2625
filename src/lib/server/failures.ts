import type {FastifyReply, FastifyRequest} from 'fastify'

import {type ErrorId, isCommitUnknown, OrgctlError} from '../errors.js'

/**
 * What a client is told of a failure (the API's JSON and the Dashboard's pages alike): the store's
 * and unexpected failures go to the server's log with the request id, and the client gets a line
 * that names the id and leaks no path.
 */
export function publicFailure(
  failure: OrgctlError,
  error: Error,
  request: FastifyRequest,
  reply: FastifyReply,
  errorLog: ((line: string) => void) | undefined,
): OrgctlError {
  const given = reply.getHeader('request-id')
  const requestId = typeof given === 'string' ? given : request.id
  if (failure.id === 'store_unavailable') {
    // Nothing reached the database: any client may retry, after a moment.
    errorLog?.(`database unavailable (request id ${requestId}): ${failure.message}`)
    reply.header('Retry-After', '2')
    failure = new OrgctlError(
      'store_unavailable',
      `The server cannot reach its database right now: nothing was changed; retry in a moment (request id ${requestId}).`,
    )
  } else if (failure.id === 'store_error' && isCommitUnknown(failure)) {
    errorLog?.(`commit outcome unknown (request id ${requestId}): ${failure.message}`)
    failure = new OrgctlError(
      'store_error',
      `The server lost its database connection while committing this change: it may or may not have been made. Check before retrying (request id ${requestId}).`,
    )
  } else if (failure.id === 'store_error') {
    // The store's path and the advice to fix it are for the operator, whoever asked (unauthenticated included).
    errorLog?.(`store error (request id ${requestId}): ${failure.message}`)
    failure = new OrgctlError(
      'internal_error',
      `The server could not read or write its store: its operator can see why in the server's log (request id ${requestId}).`,
    )
  } else if (failure.id === 'internal_error') {
    errorLog?.(`internal error (request id ${requestId}): ${error.stack ?? error.message}`)
  }
  return failure
}

/** An error answered with a status of its own (415, 431, ...), in Heroku's body like every other. */
export class StatusError extends OrgctlError {
  constructor(
    readonly status: number,
    id: ErrorId,
    message: string,
  ) {
    super(id, message)
  }

  override get httpStatus(): number {
    return this.status
  }
}
