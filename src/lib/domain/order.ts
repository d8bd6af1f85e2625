/** The orders lists come in: the same on both backends, and the one the API pages by. */

/** Oldest first; the id breaks ties, so pages never skip or repeat one. */
export function byCreation(a: {createdAt: string; id: string}, b: {createdAt: string; id: string}): number {
  const left = `${a.createdAt} ${a.id}`
  const right = `${b.createdAt} ${b.id}`
  return left < right ? -1 : left > right ? 1 : 0
}

/** By a string key, byte-wise (UTF-16 code units: the bytes' order for the ASCII names, emails and types kept). */
export function byKey<T>(key: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => {
    const left = key(a)
    const right = key(b)
    return left < right ? -1 : left > right ? 1 : 0
  }
}
