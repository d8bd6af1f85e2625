#!/usr/bin/env node
// Summarises V8 .cpuprofile files (from `node --cpu-prof`): self and inclusive time by function and by
// module. Code inside the esbuild bundle (dist/orgctl.cjs) is attributed to its source module through the
// `// path` comments esbuild writes in a non-minified bundle (`node scripts/bundle.mjs --no-minify`).
//   node scripts/bench/profile-summary.mjs PROFILE.cpuprofile [...more] [--top 25]
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

const args = process.argv.slice(2)
const topIndex = args.indexOf('--top')
const TOP = topIndex >= 0 ? Number(args.splice(topIndex, 2)[1]) : 25
const files = args

const bundleSections = new Map()
/** [startLine, module] pairs of a non-minified esbuild bundle, by its `// path` comments. */
function sectionsOf(url) {
  if (bundleSections.has(url)) return bundleSections.get(url)
  let sections = []
  try {
    const lines = readFileSync(fileURLToPath(url), 'utf8').split('\n')
    lines.forEach((line, i) => {
      const m = /^\/\/ (\S+\.(?:c?js|mjs|json|ts))$/.exec(line)
      if (m) sections.push([i, m[1].replace(/^(\.\.\/)+/, '')])
    })
  } catch {
    sections = []
  }
  bundleSections.set(url, sections)
  return sections
}

function moduleOf(frame) {
  const url = frame.url
  if (!url) return frame.functionName.startsWith('(') ? frame.functionName : '(native)'
  if (url.startsWith('node:')) return url
  if (url.endsWith('orgctl.cjs')) {
    const sections = sectionsOf(url.startsWith('file:') ? url : `file://${url}`)
    let found = 'dist/orgctl.cjs'
    for (const [line, name] of sections) {
      if (line <= frame.lineNumber) found = name
      else break
    }
    return found
  }
  const nm = url.lastIndexOf('node_modules/')
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/')
    return `node_modules/${rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`
  }
  return url.replace(/^file:\/\/.*?\/(dist|bin|scripts)\//, '$1/')
}

for (const file of files) {
  const profile = JSON.parse(readFileSync(file, 'utf8'))
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const parent = new Map()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const selfFn = new Map()
  const inclFn = new Map()
  const selfMod = new Map()
  const inclMod = new Map()
  const add = (map, key, v) => map.set(key, (map.get(key) ?? 0) + v)
  const fnKey = (node) => {
    const f = node.callFrame
    return `${f.functionName || '(anonymous)'} ${moduleOf(f)}:${f.lineNumber + 1}`
  }
  let total = 0
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000
    total += dt
    const node = byId.get(id)
    add(selfFn, fnKey(node), dt)
    add(selfMod, moduleOf(node.callFrame), dt)
    const seenFn = new Set()
    const seenMod = new Set()
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur)
      const k = fnKey(n)
      const m = moduleOf(n.callFrame)
      if (!seenFn.has(k)) {
        seenFn.add(k)
        add(inclFn, k, dt)
      }
      if (!seenMod.has(m)) {
        seenMod.add(m)
        add(inclMod, m, dt)
      }
    }
  })
  const show = (title, map) => {
    console.log(`\n  ${title}`)
    for (const [key, ms] of [...map].sort((a, b) => b[1] - a[1]).slice(0, TOP)) {
      console.log(`  ${ms.toFixed(1).padStart(8)} ms ${((100 * ms) / total).toFixed(1).padStart(5)}%  ${key}`)
    }
  }
  console.log(`\n=== ${file}: ${total.toFixed(1)} ms sampled`)
  show('self time by module', selfMod)
  show('self time by function', selfFn)
  show('inclusive time by function', inclFn)
}
