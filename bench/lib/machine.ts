// What the numbers were measured on.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { cpus, loadavg, release, totalmem } from 'node:os'

export interface Machine {
  cpu: string
  cores: number
  memoryGiB: number
  kernel: string
  /** 1, 5 and 15 minute load averages. */
  loadStart: number[]
  loadEnd?: number[]
}

export function machine(): Machine {
  return {
    cpu: cpus()[0]?.model?.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: `Linux ${release()}`,
    loadStart: loadavg().map(x => Math.round(x * 100) / 100),
  }
}

export const currentLoad = () => loadavg().map(x => Math.round(x * 100) / 100)

export function git(root: string): { commit: string; srcDirty: boolean; benchDirty: boolean } {
  const run = (...args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim()
    } catch {
      return ''
    }
  }
  return {
    commit: run('rev-parse', 'HEAD') || 'unknown',
    srcDirty: run('status', '--porcelain', '--', 'src', 'test/pyodide', 'package.json') !== '',
    benchDirty:
      run('status', '--porcelain', '--', 'bench/c', 'bench/harness', 'bench/lib', 'bench/pyodide', 'bench/main.ts', 'bench/run.mjs', 'bench/build')
        .split('\n')
        .filter(Boolean).length > 0,
  }
}

export function emccVersion(buildDir: string): string {
  try {
    return readFileSync(`${buildDir}/TOOLCHAIN.txt`, 'utf8').split('\n')[0]
  } catch {
    return 'unknown'
  }
}
