// libHX's own test programs (src/tc-*.c): each runs with no arguments from
// the source directory and passes when it exits 0 (several print timings and
// addresses, so outputs are not compared).
import { readdirSync } from 'node:fs'
import { join } from 'node:path'

export default ({ cache }) => {
  const out = join(cache, 'out')
  const progs = readdirSync(join(out, 'stock'))
    .filter(f => f.endsWith('.js'))
    .map(f => f.slice(0, -3))
    .sort()
  return {
    title: 'libHX 4.10 (Debian libhx, upstream tarball)',
    out,
    native: t => [join(out, 'native', t.prog), ...t.args],
    normalize: r => r.stdout + r.stderr,
    tests: progs.map(p => ({
      name: p,
      prog: p,
      args: [],
      cwd: join(cache, 'wasm', 'src'),
      env: {},
      timeoutMs: 60000,
      compare: 'exit',
    })),
  }
}
