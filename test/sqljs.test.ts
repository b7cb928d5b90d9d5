/**
 * sql.js (npm): real modern Emscripten glue (`wasmImports`, minified) and a
 * large real module. The CLI's output must pass the same API smoke test as
 * the stock package, on both engines.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { engines, ROOT } from './helpers/engines.ts'

const DIST = join(ROOT, 'node_modules/sql.js/dist')
const SMOKE = join(ROOT, 'test/sqljs/smoke.cjs')
const work = mkdtempSync(join(tmpdir(), 'fpcast-sqljs-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

const out = join(work, 'out')
const report = JSON.parse(
  execFileSync(process.execPath, [join(ROOT, 'dist/cli.js'), join(DIST, 'sql-wasm.js'), '--out-dir', out, '--report'], { encoding: 'utf8' }),
)
writeFileSync(join(out, 'package.json'), '{"type":"commonjs"}')

describe('sql.js through the CLI', () => {
  it('rewrote its call sites', () => {
    expect(report.strategy).toBe('shadow')
    expect(report.sites.rewritten).toBeGreaterThan(100)
    expect(report.sites.rewritten).toBe(report.sites.total)
  })

  it.each(engines())('passes the API smoke test like stock sql.js on $name', engine => {
    const stock = execFileSync(engine.bin, [SMOKE, DIST], { encoding: 'utf8' })
    expect(stock).toContain('[{"columns":["id","name","score"],"values":[[1,"ada",3.5],[3,"cy",2],[2,"bob",1.25]]}]')
    expect(stock).toContain('ada,cy\n')
    expect(execFileSync(engine.bin, [SMOKE, out], { encoding: 'utf8' })).toBe(stock)
  })

  it.each(engines())("works when the user's Module.instantiateWasm instantiates (sql.js keeps it in a variable) on $name", engine => {
    const env = { ...process.env, USER_INSTANTIATE: '1' }
    const stock = execFileSync(engine.bin, [SMOKE, DIST], { encoding: 'utf8', env })
    expect(stock).toContain('ada,cy\n')
    expect(execFileSync(engine.bin, [SMOKE, out], { encoding: 'utf8', env })).toBe(stock)
  })
})
