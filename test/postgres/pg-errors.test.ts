/**
 * What a database failure means for a unit of work (connection.ts `databaseError` by phase): nothing
 * sent yet or rolled back is store_unavailable (503, safe to retry); lost during COMMIT, a store_error
 * saying the outcome is unknown; at start-up, a store_error as before; a failing statement stays one.
 */
import {describe, expect, it} from 'vitest'

import {isCommitUnknown} from '../../src/lib/errors.js'
import {databaseError, isConnectionFailure, parseDatabaseUrl} from '../../src/lib/storage/postgres/connection.js'

const target = parseDatabaseUrl('postgres://orgctl:s3cret@db.example.com:5432/teams')
const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:5432'), {code: 'ECONNREFUSED'})
const terminated = new Error('Connection terminated unexpectedly')
const killed = Object.assign(new Error('terminating connection due to administrator command'), {code: '57P01'})
const starting = Object.assign(new Error('the database system is starting up'), {code: '57P03'})
const tooMany = Object.assign(new Error('sorry, too many clients already'), {code: '53300'})
const poolTimeout = new Error('timeout exceeded when trying to connect')
const badSql = Object.assign(new Error('syntax error at or near "SELEC"'), {code: '42601'})

describe('databaseError by phase', () => {
  it('tells connection failures from failing statements', () => {
    for (const error of [refused, terminated, killed, starting, tooMany, poolTimeout])
      expect(isConnectionFailure(error), error.message).toBe(true)
    expect(isConnectionFailure(badSql)).toBe(false)
    expect(isConnectionFailure(Object.assign(new Error('duplicate key'), {code: '23505'}))).toBe(false)
  })

  it('at start-up: a store_error, as before', () => {
    expect(databaseError(refused, target).id).toBe('store_error')
    expect(databaseError(refused, target, 'start').message).toBe(
      'Cannot reach PostgreSQL at db.example.com:5432 database teams (ECONNREFUSED): check ORGCTL_DATABASE_URL and that the server is running.',
    )
  })

  it('getting a connection for a unit of work: always store_unavailable (nothing was sent)', () => {
    for (const error of [
      refused,
      starting,
      tooMany,
      poolTimeout,
      Object.assign(new Error('password authentication failed'), {code: '28P01'}),
    ]) {
      const mapped = databaseError(error, target, 'connect')
      expect(mapped.id, error.message).toBe('store_unavailable')
      expect(mapped.httpStatus).toBe(503)
      expect(mapped.exitCode).toBe(7)
      expect(mapped.message).toMatch(/; nothing was changed: retry when the database is back\.$/)
      expect(mapped.message).not.toContain('s3cret')
    }
    expect(databaseError(starting, target, 'connect').message).toBe(
      'PostgreSQL at db.example.com:5432 database teams is starting up or shutting down: retry in a moment; nothing was changed: retry when the database is back.',
    )
  })

  it('inside a transaction before COMMIT: a lost connection is store_unavailable (it rolled back); a failing statement is a store_error', () => {
    expect(databaseError(terminated, target, 'transaction').id).toBe('store_unavailable')
    expect(databaseError(killed, target, 'transaction').id).toBe('store_unavailable')
    const statement = databaseError(badSql, target, 'transaction')
    expect(statement.id).toBe('store_error')
    expect(statement.message).toBe('PostgreSQL at db.example.com:5432 database teams: syntax error at or near "SELEC" (42601).')
  })

  it('during COMMIT: a lost connection is a store_error saying the outcome is unknown', () => {
    for (const error of [terminated, killed, Object.assign(new Error('read ECONNRESET'), {code: 'ECONNRESET'})]) {
      const mapped = databaseError(error, target, 'commit')
      expect(mapped.id).toBe('store_error')
      expect(mapped.httpStatus).toBe(500)
      // Marked, so that the server answers "may or may not have been made" (server.ts), not a generic failure.
      expect(isCommitUnknown(mapped)).toBe(true)
      expect(mapped.message).toBe(
        'PostgreSQL at db.example.com:5432 database teams: the database connection was lost while committing: the change may or may not have been saved; check before retrying it.',
      )
    }
  })
})
