// Pure Data: libpd's shipped test program (libpd/test_libpd) on its own patch,
// then on every help patch of Pd's reference documentation
// (doc/5.reference/*.pd): it opens the patch, runs three DSP ticks and prints
// what the patch prints. A run passes when it exits 0 and prints exactly what
// the native build prints (outputs that differ between two native runs are
// judged by exit status alone).
import { readdirSync } from 'node:fs'
import { join } from 'node:path'

// Printed by every wasm build (stock, EMULATE, ours alike) and never natively:
// class_addcreator's variadic type list reads past its terminator under
// Emscripten 3.1.6, so the aliases [del] and [switch~] are not registered.
const WASM_ONLY = /^error: class (del|switch~): sorry: only 5 creation args allowed\n/gm

export default ({ cache }) => {
  const out = join(cache, 'out')
  const ref = join(cache, 'src', 'doc', '5.reference')
  const base = { prog: 'test_libpd', env: {}, timeoutMs: 30000, compare: 'output' }
  const patches = readdirSync(ref)
    .filter(f => f.endsWith('.pd'))
    .sort()
  return {
    title: 'Pure Data 0.53.1 (Debian puredata, upstream tarball): libpd + test_libpd',
    out,
    native: t => [join(out, 'native', 'test_libpd'), ...t.args],
    normalize: r => (r.stdout + r.stderr).replace(WASM_ONLY, ''),
    tests: [
      { ...base, name: 'test_libpd.pd', args: [], cwd: join(cache, 'src', 'libpd', 'test_libpd') },
      ...patches.map(p => ({ ...base, name: p, args: [p, ref], cwd: ref })),
    ],
  }
}
