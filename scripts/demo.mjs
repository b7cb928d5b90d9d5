// The main job, end to end on a bundled example: a GLib-style C program built
// with Emscripten traps with "function signature mismatch"; the CLI rewrites
// it; the rewritten program runs. Usage: npm run demo
import { execFileSync, spawnSync } from 'node:child_process'
import { cpSync, mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const fixture = `${root}test/fixtures/build/glib`
const out = `${root}.cache/demo/glib`

const show = (title, r) => {
  console.log(`\n$ ${title}`)
  process.stdout.write(r.stdout)
  const error = (r.stderr.match(/^(RuntimeError|\[fpcast-trampoline\]).*$/m) ?? [r.stderr.trim()])[0]
  if (r.status !== 0) console.log(`  -> exit ${r.status}: ${error.slice(0, 200)}`)
}

show('node test/fixtures/build/glib/glib.js        # stock Emscripten build', spawnSync(process.execPath, ['glib.js'], { cwd: fixture, encoding: 'utf8' }))
mkdirSync(out, { recursive: true })
cpSync(`${fixture}/package.json`, `${out}/package.json`)
console.log('\n$ fpcast-trampoline test/fixtures/build/glib/glib.js --out-dir .cache/demo/glib')
execFileSync(process.execPath, [`${root}dist/cli.js`, `${fixture}/glib.js`, '--out-dir', out], { stdio: 'inherit' })
show('node .cache/demo/glib/glib.js                 # rewritten', spawnSync(process.execPath, ['glib.js'], { cwd: out, encoding: 'utf8' }))
