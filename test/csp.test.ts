/**
 * Runtime security: what the plugin ships runs under a strict
 * Content-Security-Policy, and the runtime evaluates no code and defines no
 * global beyond the one documented (`__fpcast_WebAssembly`, and only where
 * the glue is a classic script).
 *
 * The glib fixture app is built with Vite and the plugin, served from
 * 127.0.0.1 with `Content-Security-Policy: script-src 'self'
 * 'wasm-unsafe-eval'`, and opened in headless Chromium: the C code with its
 * casts must print its expected output with no CSP violation reported
 * (`securitypolicyviolation` events, console errors). The same page without
 * 'wasm-unsafe-eval' shows that a violation would be seen.
 */
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize } from 'node:path'
import { createContext, runInContext } from 'node:vm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { transformGlue, transformWasm } from '../src/core/index.ts'
import { RUNTIME_SOURCE } from '../src/runtime/source.ts'
import { viteBuild, type Built } from './bundlers/builds.ts'
import { closeBrowser, GLIB_EXPECTED, getBrowser, workdir } from './bundlers/helpers.ts'
import { ROOT } from './helpers/engines.ts'

const CSP = "script-src 'self' 'wasm-unsafe-eval'"
const MIME: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.map': 'application/json' }

/** Serves `dir` on 127.0.0.1 with the given Content-Security-Policy on every response. */
async function serveWithCsp(dir: string, csp: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url!, 'http://x').pathname)
    const file = normalize(join(dir, path === '/' ? 'index.html' : path))
    let body: Buffer
    try {
      if (!file.startsWith(dir)) throw new Error('outside')
      body = readFileSync(file)
    } catch {
      res.writeHead(404, { 'Content-Security-Policy': csp }).end('not found')
      return
    }
    res.writeHead(200, { 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream', 'Content-Security-Policy': csp }).end(body)
  })
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise(r => server.close(() => r())) }
}

interface CspRun {
  result: { lines: string[]; errors: string[]; error: string | null } | null
  violations: string[]
  consoleErrors: string[]
  pageErrors: string[]
  /** Globals the page gained while the app loaded and ran. */
  newGlobals: string[]
}

async function openUnderCsp(dir: string, csp: string): Promise<CspRun> {
  const server = await serveWithCsp(dir, csp)
  const page = await (await getBrowser()).newPage()
  const consoleErrors: string[] = []
  const pageErrors: string[] = []
  page.on('console', m => {
    if (m.type() === 'error') consoleErrors.push(m.text())
  })
  page.on('pageerror', e => pageErrors.push(e.message))
  // Injected by the browser itself (DevTools protocol), so the page's CSP does not apply to it.
  await page.addInitScript(() => {
    const w = globalThis as any
    w.__cspViolations = []
    w.__globalsBefore = Object.getOwnPropertyNames(globalThis)
    document.addEventListener('securitypolicyviolation', e => {
      w.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI}`)
    })
  })
  try {
    await page.goto(`${server.url}/`)
    const done = await page.waitForFunction('globalThis.__fpcastResult || globalThis.__cspViolations.length', undefined, { timeout: 30_000 }).then(
      () => true,
      () => false,
    )
    // Let a late violation report arrive.
    await page.waitForTimeout(200)
    const state = await page.evaluate(() => {
      const w = globalThis as any
      const before = new Set(w.__globalsBefore)
      return {
        result: w.__fpcastResult ?? null,
        violations: w.__cspViolations,
        newGlobals: Object.getOwnPropertyNames(globalThis).filter(k => !before.has(k) && !k.startsWith('__csp') && k !== '__globalsBefore'),
      }
    })
    if (!done && !state.violations.length) throw new Error('the page neither finished nor reported a violation within 30 s')
    return { ...state, consoleErrors, pageErrors }
  } finally {
    await page.close()
    await server.close()
  }
}

describe('under Content-Security-Policy in headless Chromium', () => {
  let built: Built
  beforeAll(async () => {
    built = await viteBuild(workdir('glib', 'csp'), 'dist', { report: false, cache: false }, 'client')
  })
  afterAll(closeBrowser)

  it(`the Vite build with the plugin runs its casts under "${CSP}" with no violation`, async () => {
    const html = readFileSync(join(built.outDir, 'index.html'), 'utf8')
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/) // no inline script for CSP to block
    const r = await openUnderCsp(built.outDir, CSP)
    expect(r.violations).toEqual([])
    expect(r.consoleErrors).toEqual([])
    expect(r.pageErrors).toEqual([])
    expect(r.result).toEqual({ lines: GLIB_EXPECTED, errors: [], error: null })
    // The bundle is ES modules: the runtime is module-scoped; the app's own result is its only global.
    expect(r.newGlobals).toEqual(['__fpcastResult'])
  })

  it("the check sees a violation when the policy forbids wasm compilation (script-src 'self' only)", async () => {
    const r = await openUnderCsp(built.outDir, "script-src 'self'")
    expect(r.violations.length).toBeGreaterThan(0)
    expect(r.violations.join('\n')).toMatch(/script-src blocked wasm-eval/)
    expect(r.result?.lines ?? []).not.toEqual(GLIB_EXPECTED)
  })
})

describe('the runtime evaluates no code', () => {
  const EVAL_RE = /\beval\s*\(|\bnew\s+Function\b|(?<![\w$.])Function\s*\(|\bsetTimeout\s*\(\s*['"`]|\bsetInterval\s*\(\s*['"`]/
  it.each([
    ['src/runtime/runtime.js', readFileSync(join(ROOT, 'src/runtime/runtime.js'), 'utf8')],
    ['dist/runtime.js', readFileSync(join(ROOT, 'dist/runtime.js'), 'utf8')],
    ['the runtime text injected into glue', RUNTIME_SOURCE],
  ])('%s has no eval(, new Function, Function( or string timers', (_, text) => {
    expect(text.length).toBeGreaterThan(5000)
    // Code only: the header comment says "no eval, no `new Function`".
    const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1')
    expect(code).not.toMatch(EVAL_RE)
  })

  it('the pattern itself catches each form', () => {
    for (const bad of ['eval("1")', 'x = new Function("a", "return a")', 'Function("return this")()', "setTimeout('f()', 1)"]) expect(bad).toMatch(EVAL_RE)
    expect('WA.Function; obj.eval2(); myFunction(1)').not.toMatch(EVAL_RE)
  })
})

describe('the runtime defines no globals beyond the documented one', () => {
  const glue = readFileSync(join(ROOT, 'test/fixtures/build/glib/glib.js'), 'utf8')
  const input = readFileSync(join(ROOT, 'test/fixtures/build/results/results.wasm'))

  /** What transformGlue puts before the glue's own first line. */
  const injected = () => {
    const code = transformGlue(glue).code
    return code.slice(0, code.indexOf(glue.slice(0, 60)))
  }

  /** Runs `code` as a classic script in a fresh context (the JS built-ins, plus TextDecoder as every engine with wasm has); returns the globals it added and the context. */
  function freshRun(code: string) {
    const context = createContext({ TextDecoder })
    const before = new Set(runInContext('Object.getOwnPropertyNames(globalThis)', context) as string[])
    runInContext(code, context)
    const added = (runInContext('Object.getOwnPropertyNames(globalThis)', context) as string[]).filter(k => !before.has(k))
    return { context, added }
  }

  it('the prologue injected into classic-script glue adds __fpcast_WebAssembly and nothing else', () => {
    const prologue = injected()
    expect(prologue).toMatch(/^var __fpcast_WebAssembly = \(function fpcastRuntime\(WA\)/)
    expect(freshRun(prologue).added).toEqual(['__fpcast_WebAssembly'])
  })

  it.each([
    ['a transformed module', {}, []],
    // README: "in a page, globalThis.fpcastTrampolineReport() returns the same profile".
    ['a diagnostics build', { diagnostics: true }, ['fpcastTrampolineReport']],
  ] as const)('instantiating %s through it adds no global but the documented ones and changes no built-in', async (_, options, documented) => {
    const wasm = transformWasm(input, options).wasm
    const prologue = injected()
    const { context } = freshRun(prologue)
    const snapshot = `(() => {
      const W = WebAssembly
      return [Object.getOwnPropertyNames(globalThis).sort().join(','), W.instantiate, W.instantiateStreaming, W.compile, W.Module, W.Instance,
        W.Table.prototype.set, W.Table.prototype.grow, W.Table.prototype.get, Object.getOwnPropertyNames(W).sort().join(',')]
    })()`
    const before = runInContext(snapshot, context) as unknown[]
    context.bytes = wasm
    // results.wasm imports env.fd_write and friends: stub every import it asks for.
    const ran = (await runInContext(
      `(async () => {
      const imports = {}
      for (const i of WebAssembly.Module.imports(new WebAssembly.Module(bytes))) {
        imports[i.module] ??= {}
        imports[i.module][i.name] = i.kind === 'function' ? () => 0 : i.kind === 'memory' ? new WebAssembly.Memory({ initial: 256 }) : undefined
      }
      const { instance } = await __fpcast_WebAssembly.instantiate(bytes, imports)
      const table = instance.exports.__indirect_function_table
      // Through the runtime's hook on this table (it tells the shadow tables), as addFunction would.
      table.set(1, table.get(1))
      return { exports: Object.keys(instance.exports).length, ours: Object.keys(instance.exports).filter(k => k.startsWith('fpcast$')).length }
    })()`,
      context,
    )) as { exports: number; ours: number }
    delete context.bytes
    expect(ran.exports).toBeGreaterThan(3)
    expect(ran.ours).toBe(0)
    const after = runInContext(snapshot, context) as unknown[]
    const names = (list: unknown) => String(list).split(',')
    expect(names(after[0]).filter(k => !names(before[0]).includes(k))).toEqual(documented)
    expect(names(before[0]).filter(k => !names(after[0]).includes(k))).toEqual([])
    expect(after.slice(1)).toEqual(before.slice(1))
    for (let i = 1; i < before.length - 1; i++) expect(after[i]).toBe(before[i])
  })
})
