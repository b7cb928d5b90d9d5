/**
 * Does the transform keep DWARF right? For a wasm built with -g: transforms
 * it (DWARF rewritten by src/core/wasm/debug/dwarf/) and compares
 * `llvm-addr2line` of every call_indirect site (by ordinal in its function)
 * and of every instruction a diff of wabt's disassembly keeps, before and
 * after; also runs `llvm-dwarfdump --verify` on both and prints the
 * transform's warnings.
 *
 *   npx tsx scripts/dwarf-evidence.ts test/fixtures/build/catalogue_dwarf/catalogue_dwarf.wasm
 *
 * Needs wabt (wasm-objdump) and llvm (llvm-addr2line, llvm-dwarfdump).
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { transformWasm } from '../src/core/wasm/transform.ts'
import { addr2line, alignFunction, disassemble } from '../test/helpers/debug-lines.ts'

const inFile = process.argv[2]
if (!inFile) throw new Error('usage: tsx scripts/dwarf-evidence.ts <input built with -g>.wasm')
const input = readFileSync(inFile)
const { wasm, report } = transformWasm(input)
const outFile = join(mkdtempSync(join(tmpdir(), 'dwarf-evidence-')), 'out.wasm')
writeFileSync(outFile, wasm)

const a = disassemble(inFile)
const b = disassemble(outFile)
const sites: [number, number][] = []
const kept: [number, number][] = []
for (const [fn, ins] of a.functions) {
  const outs = b.functions.get(fn) ?? []
  const ca = ins.filter(x => x.op === 'call_indirect')
  const cb = outs.filter(x => x.op === 'call_indirect')
  for (let k = 0; k < Math.min(ca.length, cb.length); k++) sites.push([ca[k].offset, cb[k].offset])
  kept.push(...alignFunction(ins, outs))
}
const compare = (list: [number, number][]) => {
  const before = addr2line(
    inFile,
    list.map(p => p[0] - a.codeStart),
  )
  const after = addr2line(
    outFile,
    list.map(p => p[1] - b.codeStart),
  )
  const withLine = before.filter(l => !l.startsWith('??')).length
  const same = before.filter((l, i) => l === after[i]).length
  return { total: list.length, withLineInInput: withLine, same, different: list.length - same }
}
const verify = (f: string) => (spawnSync('llvm-dwarfdump', ['--verify', f], { encoding: 'utf8' }).stdout.match(/^error:/gm) ?? []).length
console.log(
  JSON.stringify(
    {
      input: inFile,
      output: outFile,
      warnings: report.warnings,
      callIndirect: compare(sites),
      instructions: compare(kept),
      dwarfdumpVerifyErrors: { input: verify(inFile), output: verify(outFile) },
    },
    null,
    2,
  ),
)
