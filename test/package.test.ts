/**
 * The package as a user gets it (issue 17): `npm pack`, installed from the
 * tarball into fresh projects outside the repository, a Vite project with a
 * TypeScript config and a webpack project with a CommonJS
 * `webpack.config.js`. Each builds the glib app, runs it in Chromium with
 * exactly the expected output, warns no more than the same project built
 * without the plugin, and type-checks strictly against the tarball's types.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeBrowser, GLIB_EXPECTED, pageFor, runInChromium, serveStatic } from './bundlers/helpers.ts'
import { timingsLine } from '../src/bundler/rollup-like.ts'
import { ROOT } from './helpers/engines.ts'

const work = mkdtempSync(join(tmpdir(), 'fpcast-package-'))
afterAll(async () => {
  await closeBrowser()
  rmSync(work, { recursive: true, force: true })
})
const version = (pkg: string) => JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')).version as string
let tarball = ''

beforeAll(() => {
  const out = execFileSync('npm', ['pack', '--pack-destination', work, '--silent'], { cwd: ROOT, encoding: 'utf8' })
  tarball = join(work, out.trim().split('\n').pop()!)
}, 120_000)

/** A fresh project: the glib app and its glue, the given files, the tarball and the bundler installed from npm. */
function project(name: string, files: Record<string, string>, devDependencies: Record<string, string>, type?: 'module') {
  const dir = join(work, name)
  mkdirSync(join(dir, 'src/glib'), { recursive: true })
  cpSync(join(ROOT, 'test/fixtures/build/glib_esm/glib.mjs'), join(dir, 'src/glib/glib.mjs'))
  cpSync(join(ROOT, 'test/fixtures/build/glib_esm/glib.wasm'), join(dir, 'src/glib/glib.wasm'))
  cpSync(join(ROOT, 'test/bundlers/apps/glib/run.js'), join(dir, 'src/run.js'))
  writeFileSync(join(dir, 'src/main.js'), "import createModule from './glib/glib.mjs'\nimport { start } from './run.js'\n\nstart(createModule)\n")
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text)
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify(
      { name, private: true, ...(type ? { type } : {}), devDependencies: { ...devDependencies, 'unplugin-fpcast-trampoline': `file:${tarball}` } },
      null,
      2,
    ),
  )
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: 'pipe' })
  return dir
}

/**
 * Warning lines of a build's output, without the plugin's own report lines.
 * Rolldown's [PLUGIN_TIMINGS] block counts when it is about this plugin alone
 * (the plugin makes that a note of its own); one naming other plugins depends
 * on the machine's load.
 */
const warnings = (output: string) => {
  const lines = output.split('\n').filter(l => /warn|\(!\)/i.test(l) && !l.includes('[fpcast-trampoline]') && !l.includes('[PLUGIN_TIMINGS]'))
  const at = output.indexOf('[PLUGIN_TIMINGS]')
  const end = output.indexOf('#bundlertimings', at)
  const block = at < 0 ? '' : output.slice(at, end < 0 ? undefined : end)
  if (block && timingsLine(block) !== undefined) lines.push(block)
  return lines
}

/** Serves a build and runs it in Chromium: the glib app's exact output, no page error. */
async function expectGlibInChromium(dist: string, pages: Record<string, string> = {}) {
  const server = await serveStatic(dist, pages)
  try {
    const { result, problems } = await runInChromium(`${server.url}/`)
    expect(problems).toEqual([])
    expect(result).toEqual({ lines: GLIB_EXPECTED, errors: [], error: null })
  } finally {
    await server.close()
  }
}

/** `tsc --strict` over the given files, with the project's modules. */
function typecheck(dir: string, files: string[]) {
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', skipLibCheck: true, types: ['node'] },
      files,
    }),
  )
  return spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir], { cwd: dir, encoding: 'utf8' })
}

describe('the package page', () => {
  it("every file the README links to or shows is in the tarball (its relative links resolve among the package's files)", () => {
    const files = new Set(
      execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
        .split('\n')
        .map(f => f.replace(/^package\//, '')),
    )
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
    const relative = [...readme.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map(m => m[1]).filter(target => !/^[a-z]+:/i.test(target))
    expect(relative.length).toBeGreaterThan(5)
    expect(relative.filter(target => !files.has(target))).toEqual([])
  })

  it('npm publish stops, with one line, until package.json names the repository those links resolve against on npmjs.com', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fpcast-publish-'))
    try {
      const publish = () => spawnSync('npm', ['publish', '--dry-run', '--ignore-scripts=false'], { cwd: dir, encoding: 'utf8' })
      const pkg = {
        name: 'fpcast-publish-check',
        version: '0.0.0',
        scripts: { prepublishOnly: JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.prepublishOnly },
      }
      mkdirSync(join(dir, 'scripts'))
      cpSync(join(ROOT, 'scripts/check-publish.mjs'), join(dir, 'scripts/check-publish.mjs'))
      writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg))
      const refused = publish()
      expect(refused.status).not.toBe(0)
      expect(refused.stderr.split('\n').filter(l => l.startsWith('check-publish:'))).toEqual([
        "check-publish: package.json has no repository, homepage, bugs: npmjs.com resolves the README's relative links and picture against repository; set them to the project's public home before publishing",
      ])
      const home = 'https://example.org/fpcast'
      writeFileSync(
        join(dir, 'package.json'),
        JSON.stringify({ ...pkg, repository: { type: 'git', url: `git+${home}.git` }, homepage: home, bugs: { url: `${home}/issues` } }),
      )
      const allowed = publish()
      expect(allowed.stderr).not.toContain('check-publish:')
      expect(allowed.status, allowed.stderr).toBe(0)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('the packed tarball in fresh projects', () => {
  it('Vite, with a TypeScript config: builds, runs in Chromium, warns no more than without the plugin, type-checks strictly', async () => {
    const config = (plugin: boolean) =>
      `import { defineConfig } from 'vite'\n${plugin ? "import fpcastTrampoline from 'unplugin-fpcast-trampoline/vite'\n" : ''}export default defineConfig({ root: 'src', build: { outDir: '../${plugin ? 'dist' : 'dist-stock'}', emptyOutDir: true }${plugin ? ', plugins: [fpcastTrampoline()]' : ''} })\n`
    const dir = project(
      'fresh-vite',
      {
        'vite.config.ts': config(true),
        'vite.stock.config.ts': config(false),
        'entries.ts':
          ['vite', 'webpack', 'rollup', 'rolldown', 'esbuild', 'rspack']
            .map(b => `import ${b} from 'unplugin-fpcast-trampoline/${b}'\nexport const ${b}Plugin = ${b}({ strategy: 'shadow', diagnostics: false })`)
            .join('\n') +
          "\nimport { fpcastRuntime } from 'unplugin-fpcast-trampoline/runtime'\nexport const wa: typeof WebAssembly = fpcastRuntime(WebAssembly)\nimport { transformWasm } from 'unplugin-fpcast-trampoline'\nexport const t = transformWasm\n",
      },
      { vite: version('vite'), typescript: version('typescript'), '@types/node': version('@types/node') },
      'module',
    )
    cpSync(join(ROOT, 'test/bundlers/apps/glib/index.html'), join(dir, 'src/index.html'))
    const vite = join(dir, 'node_modules/vite/bin/vite.js')
    const ours = spawnSync(process.execPath, [vite, 'build'], { cwd: dir, encoding: 'utf8' })
    expect(ours.status, ours.stderr).toBe(0)
    const stock = spawnSync(process.execPath, [vite, 'build', '--config', 'vite.stock.config.ts'], { cwd: dir, encoding: 'utf8' })
    expect(stock.status, stock.stderr).toBe(0)
    expect(ours.stdout + ours.stderr).toMatch(/\[fpcast-trampoline\] \S*glib\.wasm: 30\/30 call_indirect sites rewritten/)
    expect(warnings(ours.stdout + ours.stderr)).toEqual(warnings(stock.stdout + stock.stderr))
    await expectGlibInChromium(join(dir, 'dist'))
    const tsc = typecheck(dir, ['vite.config.ts', 'entries.ts'])
    expect(tsc.stdout + tsc.stderr).toBe('')
    expect(tsc.status).toBe(0)
  }, 300_000)

  it('webpack, with a CommonJS webpack.config.js: builds, runs in Chromium, warns no more than without the plugin', async () => {
    const config = (plugin: boolean) => `${plugin ? "const fpcastTrampoline = require('unplugin-fpcast-trampoline/webpack')\n" : ''}module.exports = {
  mode: 'production',
  entry: './src/main.js',
  output: { path: require('path').join(__dirname, '${plugin ? 'dist' : 'dist-stock'}'), filename: 'main.js', clean: true },
  resolve: { fallback: { fs: false, path: false } },
  plugins: [${plugin ? 'fpcastTrampoline()' : ''}],
}\n`
    const build =
      "const webpack = require('webpack'); webpack(require(process.argv[1])).run((e, s) => { if (e) throw e; const j = s.toJson({ all: false, warnings: true, errors: true }); process.stdout.write('\\n@@' + JSON.stringify({ warnings: j.warnings.map(w => w.message), errors: j.errors.map(w => w.message) })) })"
    const dir = project('fresh-webpack', { 'webpack.config.js': config(true), 'webpack.stock.config.js': config(false) }, { webpack: version('webpack') })
    const run = (file: string) => {
      const r = spawnSync(process.execPath, ['-e', build, join(dir, file)], { cwd: dir, encoding: 'utf8' })
      expect(r.status, r.stderr).toBe(0)
      // The plugin's report lines come first on stdout; the build's result is the last line.
      return { ...(JSON.parse(r.stdout.split('\n@@').pop()!) as { warnings: string[]; errors: string[] }), log: r.stdout }
    }
    const ours = run('webpack.config.js')
    const stock = run('webpack.stock.config.js')
    expect(ours.errors).toEqual([])
    expect(ours.log).toMatch(/\[fpcast-trampoline\] \S*glib\.wasm: 30\/30 call_indirect sites rewritten/)
    expect(ours.warnings).toEqual(stock.warnings)
    expect(readdirSync(join(dir, 'dist')).filter(f => f.endsWith('.wasm'))).toHaveLength(1)
    await expectGlibInChromium(join(dir, 'dist'), { '/': pageFor('/main.js', 'classic') })
  }, 300_000)
})
