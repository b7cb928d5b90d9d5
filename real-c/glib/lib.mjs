// GLib's own test programs (glib/tests), run as meson would run them: from the
// build directory with G_TEST_SRCDIR and G_TEST_BUILDDIR set, no arguments
// (GTest's default "quick" mode); a test passes when it exits 0. No native
// build is run here: upstream's CI and Debian's build run these natively.
import { readdirSync } from 'node:fs'
import { join } from 'node:path'

export default ({ cache }) => {
  const out = join(cache, 'out')
  const progs = readdirSync(join(out, 'stock'))
    .filter(f => f.endsWith('.js') && !f.endsWith('.worker.js'))
    .map(f => f.slice(0, -3))
    .sort()
  const env = {
    G_TEST_SRCDIR: join(cache, 'src', 'glib', 'tests'),
    G_TEST_BUILDDIR: join(cache, 'build', 'glib', 'tests'),
    G_DEBUG: 'gc-friendly',
  }
  return {
    title: 'GLib 2.74.6 (Debian glib2.0, upstream tarball): glib/tests',
    out,
    native: null,
    normalize: r => r.stdout + r.stderr,
    tests: progs.map(p => ({
      name: p,
      prog: p,
      args: [],
      cwd: join(cache, 'build', 'glib', 'tests'),
      env,
      timeoutMs: 120000,
      compare: 'exit',
    })),
  }
}
