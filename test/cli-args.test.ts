/**
 * The CLI's arguments: a mistake is one line on stderr that names it and
 * points at --help (with the flag meant, for a near miss), exit 1; --version
 * prints the package's version.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT } from './helpers/engines.ts'

const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, [join(ROOT, 'dist/cli.js'), ...args], { encoding: 'utf8', timeout: 30_000 })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

describe('CLI arguments', () => {
  it('--version and -v print the version', () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))
    expect(cli('--version')).toEqual({ status: 0, stdout: `${version}\n`, stderr: '' })
    expect(cli('-v').stdout).toBe(`${version}\n`)
  })

  it.each([
    [['--out-dri', 'x', 'in.js'], "[fpcast-trampoline] unknown option '--out-dri' (did you mean '--out-dir'?); see --help"],
    [['--strategyy', 'js', 'in.js'], "[fpcast-trampoline] unknown option '--strategyy' (did you mean '--strategy'?); see --help"],
    [['--frobnicate', 'in.js'], "[fpcast-trampoline] unknown option '--frobnicate'; see --help"],
    [['in.js', '-o'], "[fpcast-trampoline] Option '-o, --out-dir <value>' argument missing; see --help"],
    [['in.js'], '[fpcast-trampoline] --out-dir is required; see --help'],
    [['in.js', '-o', 'x', '--dispatch-budget', '4k'], "[fpcast-trampoline] --dispatch-budget: '4k' is not a number of bytes (digits, or Infinity)"],
  ])('%j: one line', (args, line) => {
    const r = cli(...args)
    expect(r.status).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe(`${line}\n`)
  })
})
