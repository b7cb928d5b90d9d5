/**
 * The persistent cache's key, part by part: the fingerprint of the code
 * covers every file the transform loads (subfolders of src/core included, by
 * their paths), and the options part is the text of the very options the
 * plugin hands to every transform, so a field added to one is in the other.
 */
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { type Options, optionsKey, resolvePluginOptions } from '../../src/bundler/options.ts'
import { codeFingerprint } from '../../src/bundler/wasm-store.ts'
import { ROOT } from '../helpers/engines.ts'

const tmp = mkdtempSync(join(tmpdir(), 'fpcast-cache-key-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

/** A copy of what the fingerprint reads from source (src/core, the runtime), and the src/bundler it is computed from. */
function sourceCopy(name: string): { src: string; fingerprint: () => string } {
  const src = join(tmp, name, 'src')
  cpSync(join(ROOT, 'src/core'), join(src, 'core'), { recursive: true })
  mkdirSync(join(src, 'runtime'), { recursive: true })
  cpSync(join(ROOT, 'src/runtime/runtime.js'), join(src, 'runtime/runtime.js'))
  mkdirSync(join(src, 'bundler'))
  return { src, fingerprint: () => codeFingerprint(join(src, 'bundler')) }
}

describe('the code fingerprint', () => {
  it('of this source tree is a hash, the same for a copy of it', () => {
    const here = codeFingerprint(join(ROOT, 'src/bundler'))
    expect(here).toMatch(/^[0-9a-f]{16}$/)
    expect(sourceCopy('same').fingerprint()).toBe(here)
  })

  it.each([
    ['a file in a subfolder of src/core', 'core/wasm/transform.ts'],
    ['a file two folders down', 'core/wasm/strategies/shadow/index.ts'],
    ['a file at the top of src/core', 'core/options.ts'],
    ['the runtime', 'runtime/runtime.js'],
  ])('changes with %s', (_, file) => {
    const { src, fingerprint } = sourceCopy(file.replace(/\W/g, '-'))
    const before = fingerprint()
    appendFileSync(join(src, file), '\n// changed\n')
    expect(fingerprint()).not.toBe(before)
  })

  it('changes when a file moves to another folder of src/core, its content unchanged', () => {
    const { src, fingerprint } = sourceCopy('moved')
    const before = fingerprint()
    renameSync(join(src, 'core/wasm/walk.ts'), join(src, 'core/glue/walk.ts'))
    expect(fingerprint()).not.toBe(before)
  })

  it('built: changes with any dist/*.js, not with the type declarations', () => {
    const dist = join(tmp, 'dist')
    mkdirSync(dist)
    writeFileSync(join(dist, 'index.js'), 'export {}\n')
    writeFileSync(join(dist, 'transform-1234.js'), 'export const x = 1\n')
    writeFileSync(join(dist, 'index.d.ts'), 'export {}\n')
    const before = codeFingerprint(dist)
    expect(before).toMatch(/^[0-9a-f]{16}$/)
    appendFileSync(join(dist, 'index.d.ts'), '// changed\n')
    expect(codeFingerprint(dist)).toBe(before)
    appendFileSync(join(dist, 'transform-1234.js'), '// changed\n')
    expect(codeFingerprint(dist)).not.toBe(before)
  })
})

describe("the options' part of the key", () => {
  const key = (options: Options) => resolvePluginOptions({ report: false, ...options }).transformKey

  it('is the text of the transform options the plugin passes, RegExps included', () => {
    const resolved = resolvePluginOptions({ strategy: 'js', sites: { include: { functions: [/^g_/i, 'main'] } }, report: false })
    expect(resolved.transformKey).toBe(optionsKey(resolved.transform))
    expect(JSON.parse(resolved.transformKey)).toEqual({
      debugInfo: 'keep',
      diagnostics: false,
      include: { functions: [{ RegExp: ['^g_', 'i'] }, 'main'] },
      incompatible: 'trap',
      strategy: 'js',
    })
  })

  it('is the same for options that transform alike (defaults written out, keys in another order)', () => {
    expect(key({})).toBe(key({ strategy: 'auto', incompatible: 'trap', diagnostics: false, debugInfo: 'keep' }))
    expect(key({ strategy: 'shadow' })).toBe(key({}))
    expect(key({ sites: { include: { signatures: ['iii'], functions: ['f'] } } })).toBe(key({ sites: { include: { functions: ['f'], signatures: ['iii'] } } }))
  })

  it('differs for every option that changes the output', () => {
    const variants: Options[] = [
      {},
      { strategy: 'js' },
      { incompatible: 'coerce' },
      { diagnostics: true },
      { debugInfo: 'strip' },
      { sites: { include: { signatures: ['iii'] } } },
      { sites: { exclude: { signatures: ['iii'] } } },
      { sites: { include: { functions: ['/g_/'] } } },
      { sites: { include: { functions: [/g_/] } } },
      { sites: { include: { functions: [/g_/i] } } },
      { sites: { include: { sites: ['main#0'] } } },
    ]
    const keys = variants.map(key)
    expect(new Set(keys).size).toBe(variants.length)
  })

  it('covers every field of the options handed to the transform', () => {
    const { transform } = resolvePluginOptions({ sites: { include: { functions: ['f'] }, exclude: { functions: ['g'] } }, report: false })
    const fields = Object.keys(transform) as (keyof typeof transform)[]
    expect(fields.sort()).toEqual(['debugInfo', 'diagnostics', 'exclude', 'include', 'incompatible', 'strategy'])
    for (const field of fields) expect(optionsKey({ ...transform, [field]: undefined }), field).not.toBe(optionsKey(transform))
  })
})
