/**
 * The export surface: one subpath per bundler in package.json, each a tiny
 * entry whose default export makes that bundler's plugin from the one
 * shared factory.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../helpers/engines.ts'

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))
const BUNDLERS = ['vite', 'webpack', 'rollup', 'rolldown', 'esbuild', 'rspack'] as const

describe('package exports', () => {
  it.each(BUNDLERS)('./%s is exported, built and typed', async bundler => {
    const entry = pkg.exports[`./${bundler}`]
    expect(entry).toEqual({ types: `./dist/${bundler}.d.ts`, import: `./dist/${bundler}.js`, default: `./dist/${bundler}.js` })
    expect(existsSync(join(ROOT, entry.import))).toBe(true)
    expect(readFileSync(join(ROOT, entry.types), 'utf8')).toMatch(/Options/)
    // One tiny entry per bundler: the logic lives in src/bundler.
    const code = readFileSync(join(ROOT, `src/${bundler}.ts`), 'utf8')
      .split('\n')
      .filter(l => l.trim() && !/^\s*(?:\/\*\*|\*|\/\/)/.test(l))
    expect(code.length).toBeLessThanOrEqual(5)
    const { default: plugin } = await import(`unplugin-fpcast-trampoline/${bundler}`)
    expect(typeof plugin).toBe('function')
    const made = plugin({ report: false })
    if (bundler === 'webpack' || bundler === 'rspack') expect(typeof made.apply).toBe('function')
    else if (bundler === 'esbuild') expect(made).toMatchObject({ name: 'unplugin-fpcast-trampoline', setup: expect.any(Function) })
    else expect(made).toMatchObject({ name: 'unplugin-fpcast-trampoline', enforce: 'pre' })
  })

  it('each entry loads with require() from a CommonJS config: the plugin itself, and as .default', () => {
    const script = `for (const b of ${JSON.stringify(BUNDLERS)}) {
  const p = require('unplugin-fpcast-trampoline/' + b)
  if (typeof p !== 'function' || typeof p.default !== 'function') throw new Error(b + ': ' + typeof p)
  if (!p({ report: false })) throw new Error(b + ': made nothing')
}`
    const r = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' })
    expect(r.stderr.replace(/^.*ExperimentalWarning.*\n|^\(Use `node --trace-warnings.*\n/gm, '')).toBe('')
    expect(r.status).toBe(0)
  })

  it.each(BUNDLERS)('./%s does not load binaryen when a config loads it (the transform runs in workers)', bundler => {
    // The static import graph of the built entry: binaryen (top-level await) must not be in it.
    const seen = new Set<string>()
    const visit = (file: string) => {
      if (seen.has(file)) return
      seen.add(file)
      for (const m of readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\b[^'"]*?from\s*["']([^"']+)["']|^\s*import\s*["']([^"']+)["']/gm)) {
        const spec = m[1] ?? m[2]
        if (spec.startsWith('.')) visit(join(file, '..', spec))
        else seen.add(spec)
      }
    }
    visit(join(ROOT, `dist/${bundler}.js`))
    expect([...seen].filter(s => s.endsWith('.js')).length).toBeGreaterThan(1)
    expect([...seen].filter(s => s === 'binaryen' || s.startsWith('binaryen/'))).toEqual([])
  })

  it("every types file that package.json names is built (the runtime's is hand-written)", () => {
    for (const [path, entry] of Object.entries(pkg.exports) as [string, { types?: string }][]) {
      if (entry.types) expect(existsSync(join(ROOT, entry.types)), path).toBe(true)
    }
  })

  it('the worker and the webpack loader ship beside the plugin chunks', () => {
    expect(existsSync(join(ROOT, 'dist/worker.js'))).toBe(true)
    expect(existsSync(join(ROOT, 'dist/webpack-loader.js'))).toBe(true)
  })

  it('bundlers are optional peers; what the plugin needs at run time is a dependency', () => {
    for (const b of ['vite', 'webpack', 'rollup', 'rolldown', 'esbuild', '@rspack/core']) expect(pkg.peerDependenciesMeta[b]).toEqual({ optional: true })
    for (const d of ['unplugin', 'magic-string', 'binaryen', 'picomatch', '@jridgewell/remapping']) expect(pkg.dependencies[d]).toBeDefined()
  })
})
