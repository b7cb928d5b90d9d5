/**
 * The Debian packages the full suite drives besides Node: Chromium and
 * Firefox ESR (bundled apps in real browsers), wabt (wat2wasm/wasm2wat for
 * catalogue inputs, wasm-objdump for debug info), strace (where the CLI and a
 * build write) and llvm (llvm-addr2line, for debug info). The global
 * setup installs the missing ones with apt when it runs as root (as CI
 * does), and otherwise stops at once with the one command that installs
 * them; `npm run test:unit` needs none of them.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const TOOLS: [command: string, pkg: string][] = [
  ['chromium', 'chromium'],
  ['firefox-esr', 'firefox-esr'],
  ['wat2wasm', 'wabt'],
  ['strace', 'strace'],
  // llvm-addr2line reads DWARF and source-map lines back (test/debug-info.test.ts).
  ['llvm-addr2line', 'llvm'],
]

const has = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).status === 0

export function ensureSystemTools(): void {
  const missing = [...new Set(TOOLS.filter(([c]) => !has(c)).map(([, p]) => p))]
  if (!missing.length) return
  const root = typeof process.getuid === 'function' && process.getuid() === 0
  if (root && existsSync('/usr/bin/apt-get')) {
    process.stderr.write(`[tests] installing Debian packages the suite needs: ${missing.join(' ')}\n`)
    execFileSync('sh', ['-c', `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${missing.join(' ')} >/dev/null`], {
      stdio: 'inherit',
    })
    const still = TOOLS.filter(([c]) => !has(c)).map(([, p]) => p)
    if (!still.length) return
    missing.splice(0, missing.length, ...still)
  }
  throw new Error(
    `the full test suite needs these Debian packages: ${missing.join(' ')}. Install them with: sudo apt-get install -y ${missing.join(' ')} (or run npm run test:unit, which needs Node and npm only)`,
  )
}
