/**
 * The plugin's options checked by shape when the plugin is created, so that
 * a typo (`strategyy`) or a wrong type (`diagnostics: 'yes'`, which would
 * silently ship a diagnostics build) fails the config at once, in plain JS
 * configs too, one line per problem:
 *
 *   [fpcast-trampoline] <plugin options>: unknown option 'strategyy' (did you mean 'strategy'?)
 *   [fpcast-trampoline] <plugin options>: option diagnostics: expected true or false, got 'yes'
 *
 * Values (strategy names, site filters) are checked by the core's resolveOptions.
 */
import { FpcastError } from '../core/errors.ts'

type Check = [expected: string, ok: (v: unknown) => boolean]

const isPattern = (v: unknown) => typeof v === 'string' || v instanceof RegExp
const CHECKS: Record<string, Check> = {
  include: ['a glob string, a RegExp or an array of them', v => isPattern(v) || (Array.isArray(v) && v.every(isPattern))],
  exclude: ['a glob string, a RegExp or an array of them', v => isPattern(v) || (Array.isArray(v) && v.every(isPattern))],
  wasm: [
    "an object { '<glue glob>': '<wasm path>' } or a function",
    v => typeof v === 'function' || (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every(x => typeof x === 'string')),
  ],
  strategy: ["'auto', 'shadow' or 'js'", v => typeof v === 'string'],
  incompatible: ["'trap' or 'coerce'", v => v === 'trap' || v === 'coerce'],
  diagnostics: ['true or false', v => typeof v === 'boolean'],
  dispatchBudget: ['a number of bytes (0 or more, or Infinity)', v => typeof v === 'number' && v >= 0],
  debugInfo: ["'keep' or 'strip'", v => v === 'keep' || v === 'strip'],
  sites: [
    'an object { include?, exclude? }',
    v => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).every(k => k === 'include' || k === 'exclude'),
  ],
  cache: ['true, false or a directory path', v => typeof v === 'boolean' || typeof v === 'string'],
  parallel: ['a positive integer', v => Number.isInteger(v) && (v as number) >= 1],
  report: ['true, false or a function', v => typeof v === 'boolean' || typeof v === 'function'],
  progressAfterMs: ['a number of milliseconds (0 or more)', v => typeof v === 'number' && v >= 0],
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1))
      prev = cur
    }
  }
  return row[b.length]
}

const show = (v: unknown) =>
  typeof v === 'string'
    ? `'${v}'`
    : typeof v === 'function'
      ? 'a function'
      : Array.isArray(v)
        ? 'an array'
        : v instanceof RegExp
          ? String(v)
          : typeof v === 'object' && v !== null
            ? 'an object'
            : String(v)

/** Throws one FpcastError listing every problem, one line each; returns quietly when there is none. */
export function checkOptionShapes(options: object): void {
  const problems: string[] = []
  for (const [key, value] of Object.entries(options)) {
    const check = CHECKS[key]
    if (!check) {
      const near = Object.keys(CHECKS)
        .map(k => [k, distance(key, k)] as const)
        .sort((a, b) => a[1] - b[1])[0]
      problems.push(
        `unknown option '${key}'${near[1] <= Math.max(2, key.length / 3) ? ` (did you mean '${near[0]}'?)` : ''}; the options are ${Object.keys(CHECKS).join(', ')}`,
      )
    } else if (value !== undefined && !check[1](value)) {
      problems.push(`option ${key}: expected ${check[0]}, got ${show(value)}`)
    }
  }
  if (problems.length) throw new FpcastError(problems.join(`\n[fpcast-trampoline] <plugin options>: `), { file: '<plugin options>' })
}
