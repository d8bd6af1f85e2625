/** Heroku-style app names (frozen-wave-4030), from haikunator; loaded only when a name is needed. */
export type NameGenerator = (attempt: number) => string

export async function loadNameGenerator(): Promise<NameGenerator> {
  // haikunator is CommonJS whose default export is the class itself.
  const {default: Haikunator} = (await import('haikunator')) as unknown as {
    default: new () => {haikunate(options?: {tokenLength?: number}): string}
  }
  const haikunator = new Haikunator()
  // Longer numbers after many collisions keep the search short on a crowded store.
  return (attempt) => haikunator.haikunate({tokenLength: attempt < 25 ? 4 : 6})
}
