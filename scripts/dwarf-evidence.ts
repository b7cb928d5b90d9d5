/**
 * Does keeping DWARF through the transform give right lines? For a wasm built
 * with -g: transforms it, appends the input's `.debug_*` sections to the output
 * byte for byte (what binaryen.js writes when they are kept: it has no DWARF
 * support and copies them unchanged), and compares `llvm-addr2line` of every
 * call_indirect site (by ordinal in its function) and of every instruction a
 * diff of wabt's disassembly keeps, before and after. Also runs
 * `llvm-dwarfdump --verify` on both.
 *
 *   npx tsx scripts/dwarf-evidence.ts test/fixtures/build/catalogue_dwarf/catalogue_dwarf.wasm
 *
 * Needs wabt (wasm-objdump) and llvm (llvm-addr2line, llvm-dwarfdump). If
 * binaryen.js ever updates DWARF, rerun this with its output instead.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { customSectionNames } from '../src/core/wasm/bytes.ts'
import { customSection } from '../src/core/wasm/debug/index.ts'
import { transformWasm } from '../src/core/wasm/transform.ts'
import { addr2line, alignFunction, disassemble } from '../test/helpers/debug-lines.ts'

const inFile = process.argv[2]
if (!inFile) throw new Error('usage: tsx scripts/dwarf-evidence.ts <input built with -g>.wasm')
const input = readFileSync(inFile)
const leb = (n: number) => {
  const out: number[] = []
  do {
    let b = n & 0x7f
    n >>>= 7
    if (n) b |= 0x80
    out.push(b)
  } while (n)
  return out
}
const section = (name: string, payload: Uint8Array) => {
  const body = [...leb(name.length), ...Buffer.from(name), ...payload]
  return Buffer.from([0, ...leb(body.length), ...body])
}
const { wasm } = transformWasm(input)
const dwarf = customSectionNames(input).filter(n => n.startsWith('.debug_'))
const outFile = join(mkdtempSync(join(tmpdir(), 'dwarf-evidence-')), 'out.wasm')
writeFileSync(outFile, Buffer.concat([wasm, ...dwarf.map(n => section(n, customSection(input, n)!))]))

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
      callIndirect: compare(sites),
      instructions: compare(kept),
      dwarfdumpVerifyErrors: { input: verify(inFile), output: verify(outFile) },
    },
    null,
    2,
  ),
)
