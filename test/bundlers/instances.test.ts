/**
 * Several plugin instances in one build, each with its own options and its
 * own files (the playground does this: one copy of a module per strategy).
 * Every instance sees every `fpcast-trampoline/...` virtual id, so each must
 * load only the wasm it was given; and the `diagnostics` option reaches the
 * transform. Through real Rolldown builds, run in Node.
 */
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import fpcastRolldown from 'unplugin-fpcast-trampoline/rolldown'
import type { WasmReport } from 'unplugin-fpcast-trampoline/vite'
import { GLIB_EXPECTED, runInNode, workdir } from './helpers.ts'

/** The transform's metadata in a wasm (its custom section), or null for an untransformed one. */
function meta(bytes: Buffer): { strategy: string; siteGlobal?: string } | null {
  const [section] = WebAssembly.Module.customSections(new WebAssembly.Module(new Uint8Array(bytes)), 'fpcast_trampoline')
  return section ? JSON.parse(new TextDecoder().decode(section)) : null
}

/** The two copies' printed lines, one after the other. */
const ENTRY = `import { start } from './run.js'
import createJs from './js/glib.mjs'
import createDiag from './diag/glib.mjs'
const lines = []
let error = null
for (const create of [createJs, createDiag]) {
  await start(create)
  lines.push(...globalThis.__fpcastResult.lines)
  error = error || globalThis.__fpcastResult.error
}
globalThis.__fpcastResult = undefined
await new Promise(r => setTimeout(r, 50))
globalThis.__fpcastResult = { lines, errors: [], error }
`

describe('several plugin instances in one build', () => {
  it("each copy gets its own instance's transform (strategy 'js'; shadow with diagnostics)", async () => {
    const root = workdir('glib', 'instances')
    for (const dir of ['js', 'diag']) {
      mkdirSync(join(root, dir))
      for (const f of ['glib.mjs', 'glib.wasm']) cpSync(join(root, 'node_modules/glib-esm', f), join(root, dir, f))
    }
    writeFileSync(join(root, 'entry.js'), ENTRY)
    const reports: { instance: string; report: WasmReport }[] = []
    const { rolldown } = await import('rolldown')
    const bundle = await rolldown({
      input: join(root, 'entry.js'),
      cwd: root,
      logLevel: 'silent',
      platform: 'neutral',
      plugins: [
        // The first instance sees the other's virtual modules first: it must pass them on.
        fpcastRolldown({
          include: ['diag/*'],
          diagnostics: true,
          cache: false,
          progressAfterMs: 60_000,
          report: report => reports.push({ instance: 'diag', report }),
        }),
        fpcastRolldown({
          include: ['js/*'],
          strategy: 'js',
          cache: false,
          progressAfterMs: 60_000,
          report: report => reports.push({ instance: 'js', report }),
        }),
      ],
    })
    const out = join(root, 'dist')
    await bundle.write({ dir: out, format: 'es', assetFileNames: 'assets/[name]-[hash][extname]' })
    await bundle.close()

    expect(reports.map(r => [r.instance, r.report.file.slice(root.length), r.report.strategy]).sort()).toEqual([
      ['diag', '/diag/glib.wasm', 'shadow'],
      ['js', '/js/glib.wasm', 'js'],
    ])
    const assets = readdirSync(join(out, 'assets')).filter(f => f.endsWith('.wasm'))
    const metas = assets.map(f => meta(readFileSync(join(out, 'assets', f))))
    expect(metas.map(m => m && { strategy: m.strategy, diagnostics: !!m.siteGlobal }).sort((a, b) => a!.strategy.localeCompare(b!.strategy))).toEqual([
      { strategy: 'js', diagnostics: false },
      { strategy: 'shadow', diagnostics: true },
    ])
    // Each glue loads its own asset.
    const code = readFileSync(join(out, 'entry.js'), 'utf8')
    for (const f of assets) expect(code).toContain(f)

    const run = await runInNode(join(out, 'entry.js'), ['--hide-fetch'])
    expect(run).toEqual({ lines: [...GLIB_EXPECTED, ...GLIB_EXPECTED], errors: [], error: null })
  })
})
