#!/usr/bin/env node
/**
 * fpcast-trampoline <input> --out-dir <dir>: the CLI over the core.
 * Exit code 0 on success; non-zero with a one-line reason on stderr otherwise.
 */
import { parseArgs } from 'node:util'
import { readFileSync } from 'node:fs'
import { FpcastError } from './core/errors.ts'
import { type FilesOptions, inspectFile, transformFiles } from './node/files.ts'
import { formatInspect } from './core/wasm/inspect.ts'
import type { TransformReport } from './core/wasm/transform.ts'

const HELP = `Usage: fpcast-trampoline <input> --out-dir <dir> [options]
       fpcast-trampoline inspect <input> [--json] [--symbol-map <file>]

Rewrites an Emscripten module so that calls through function pointers of
another type are adapted instead of trapping with "function signature
mismatch". <input> is the Emscripten glue (.js/.mjs/.cjs; the .wasm it loads
is transformed with it) or a bare .wasm. Results are written under the same
names into <dir>, with the glue's companion files copied beside them.

Options:
  -o, --out-dir <dir>        where to write (required; not the input's directory)
  -s, --strategy <name>      auto (default) | shadow | js
      --wasm <file>          the wasm the glue loads, when it names several
      --include-function <f> rewrite only sites in these functions (repeatable)
      --include-signature <s> rewrite only sites of these signatures, e.g. iii (repeatable)
      --exclude-function <f> leave sites in these functions alone (repeatable)
      --exclude-signature <s> leave sites of these signatures alone (repeatable)
      --incompatible <mode>  trap (default) | coerce: calls whose value types differ
      --symbol-map <file>    Emscripten symbol map, for function names
      --diagnostics          count adapted calls per site and signature at run time (warns
                             once each; report at exit; FPCAST_PROFILE=<file> writes a profile)
      --profile <file>       rewrite only the sites a recorded profile lists
      --safety-net           with --profile, rewrite the other sites too
      --dispatch-budget <bytes>  code the adapters may add to call the functions of a
                             crowded signature directly (default 4 KiB + 0.1% of the
                             wasm; 0: off; Infinity: all, each its own)
      --slot-via <how>       global (default) | argument: how sites hand the slot
                             index to adapters (README, "How it works")
      --writer <w>           copy (default) | binaryen: copy bodies without call sites
                             byte for byte, or pass the whole module through binaryen
                             (slower; the reference the copy writer is tested against)
      --strip-debug          drop DWARF, source map and DWARF file links (otherwise
                             DWARF is rewritten, and a source map or -gseparate-dwarf
                             file beside the wasm is rewritten beside the output)
      --report               print the report as JSON on stdout
  -h, --help                 show this help
  -v, --version              print the version

inspect lists, without writing anything, the call_indirect sites by function
and signature, the call table's contents by signature, and the signature
pairs that can mismatch; --json prints the same as JSON.
`

/** Progress lines for inputs this big, or transforms this long. */
const PROGRESS_BYTES = 8 * 1048576
const PROGRESS_AFTER_MS = 2000

function summary(r: TransformReport): string {
  if (r.alreadyTransformed) return `${r.file}: already transformed, left as it was`
  if (r.strategy === 'none') return `${r.file}: no call_indirect to rewrite (${r.sites.total} sites), left as it was`
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`
  return `${r.file}: ${r.sites.rewritten}/${r.sites.total} call_indirect sites rewritten (${r.strategy}, ${r.bySignature.length} signatures), ${kb(r.size.before)} -> ${kb(r.size.after)}, ${r.timeMs.total.toFixed(0)} ms`
}

/** A byte count as typed: digits, or Infinity. */
function bytesOption(text: string): number {
  if (/^\d+$/.test(text)) return Number(text)
  if (text === 'Infinity') return Infinity
  throw new FpcastError(`--dispatch-budget: '${text}' is not a number of bytes (digits, or Infinity)`)
}

function readProfile(file: string) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'))
  } catch (e) {
    throw new FpcastError(`cannot read the profile: ${(e as Error).message}`, { file })
  }
}

const OPTIONS = {
  'out-dir': { type: 'string', short: 'o' },
  strategy: { type: 'string', short: 's' },
  wasm: { type: 'string' },
  'include-function': { type: 'string', multiple: true },
  'include-signature': { type: 'string', multiple: true },
  'exclude-function': { type: 'string', multiple: true },
  'exclude-signature': { type: 'string', multiple: true },
  incompatible: { type: 'string' },
  'symbol-map': { type: 'string' },
  diagnostics: { type: 'boolean' },
  profile: { type: 'string' },
  'safety-net': { type: 'boolean' },
  'dispatch-budget': { type: 'string' },
  'slot-via': { type: 'string' },
  writer: { type: 'string' },
  'strip-debug': { type: 'boolean' },
  report: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const

/** The package's version, from the package.json beside dist/ (or the repository's, run from source). */
function version(): string {
  try {
    return JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version
  } catch {
    return 'unknown'
  }
}

/** parseArgs, with its errors said in one line that points at --help (and at the flag meant, for a near miss). */
function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, options: OPTIONS })
  } catch (e) {
    const flag = /'(-[^']*)'/.exec((e as Error).message)?.[1]
    if ((e as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && flag) {
      const name = flag.replace(/^-+/, '')
      const near = Object.keys(OPTIONS).find(
        k => k.startsWith(name) || name.startsWith(k) || (Math.abs(k.length - name.length) <= 2 && [...k].filter((c, i) => name[i] !== c).length <= 2),
      )
      throw new FpcastError(`unknown option '${flag}'${near ? ` (did you mean '--${near}'?)` : ''}; see --help`)
    }
    throw new FpcastError(`${(e as Error).message.split('. ')[0]}; see --help`)
  }
}

function main(argv: string[]): number {
  const { values, positionals } = parse(argv)
  if (values.help) {
    process.stdout.write(HELP)
    return 0
  }
  if (values.version) {
    process.stdout.write(`${version()}\n`)
    return 0
  }
  if (positionals[0] === 'inspect') {
    if (positionals.length !== 2) throw new FpcastError(`inspect takes one input file, got ${positionals.length - 1}; see --help`)
    const result = inspectFile(positionals[1], { wasm: values.wasm, symbolMap: values['symbol-map'] ? readFileSync(values['symbol-map'], 'utf8') : undefined })
    process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : formatInspect(result))
    return 0
  }
  if (positionals.length !== 1) throw new FpcastError(`expected one input file, got ${positionals.length}; see --help`)
  if (!values['out-dir']) throw new FpcastError('--out-dir is required; see --help')
  const filter = (fns?: string[], sigs?: string[]) => (fns || sigs ? { functions: fns, signatures: sigs } : undefined)
  // Strings as the user typed them: resolveOptions checks the values and names a bad one.
  const { written, report, sideModules, notes } = transformFiles(positionals[0], {
    outDir: values['out-dir'],
    strategy: values.strategy as FilesOptions['strategy'],
    wasm: values.wasm,
    include: filter(values['include-function'], values['include-signature']),
    exclude: filter(values['exclude-function'], values['exclude-signature']),
    incompatible: values.incompatible as FilesOptions['incompatible'],
    symbolMap: values['symbol-map'] ? readFileSync(values['symbol-map'], 'utf8') : undefined,
    diagnostics: values.diagnostics,
    profile: values.profile ? readProfile(values.profile) : undefined,
    safetyNet: values['safety-net'],
    slotVia: values['slot-via'] as FilesOptions['slotVia'],
    dispatchBudget: values['dispatch-budget'] === undefined ? undefined : bytesOption(values['dispatch-budget']),
    writer: values.writer as FilesOptions['writer'],
    debugInfo: values['strip-debug'] ? 'strip' : 'keep',
    // A big module takes a while: say how it is going.
    onProgress: e => {
      if (e.inputBytes >= PROGRESS_BYTES || e.elapsedMs >= PROGRESS_AFTER_MS) process.stderr.write(`[fpcast-trampoline] ${e.file}: ${e.message}\n`)
    },
  })
  for (const r of [report, ...sideModules]) for (const w of r.warnings) process.stderr.write(`[fpcast-trampoline] warning: ${r.file}: ${w}\n`)
  for (const n of notes) process.stderr.write(`[fpcast-trampoline] note: ${n}\n`)
  if (values.report) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
  else process.stderr.write(`${summary(report)}\n  wrote ${written.join(', ')}\n`)
  return 0
}

try {
  process.exitCode = main(process.argv.slice(2))
} catch (e) {
  const message = e instanceof FpcastError ? e.message : `[fpcast-trampoline] ${(e as Error)?.message ?? e}`
  process.stderr.write(`${message.split('\n')[0]}\n`)
  process.exitCode = 1
}
