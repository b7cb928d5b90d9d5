/**
 * The export surface: one subpath per bundler in package.json, each a tiny
 * entry whose default export makes that bundler's plugin from the one
 * shared factory.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../helpers/engines.ts'

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))
const BUNDLERS = ['vite', 'webpack', 'rollup', 'rolldown', 'esbuild', 'rspack'] as const

describe('package exports', () => {
  it.each(BUNDLERS)('./%s is exported, built and typed', async (bundler) => {
    const entry = pkg.exports[`./${bundler}`]
    expect(entry).toEqual({ types: `./dist/${bundler}.d.ts`, import: `./dist/${bundler}.js` })
    expect(existsSync(join(ROOT, entry.import))).toBe(true)
    expect(readFileSync(join(ROOT, entry.types), 'utf8')).toMatch(/Options/)
    // One tiny entry per bundler: the logic lives in src/bundler.
    expect(readFileSync(join(ROOT, `src/${bundler}.ts`), 'utf8').trim().split('\n').length).toBeLessThanOrEqual(6)
    const { default: plugin } = await import(`unplugin-fpcast-trampoline/${bundler}`)
    expect(typeof plugin).toBe('function')
    const made = plugin({ report: false })
    if (bundler === 'webpack' || bundler === 'rspack') expect(typeof made.apply).toBe('function')
    else if (bundler === 'esbuild') expect(made).toMatchObject({ name: 'unplugin-fpcast-trampoline', setup: expect.any(Function) })
    else expect(made).toMatchObject({ name: 'unplugin-fpcast-trampoline', enforce: 'pre' })
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
