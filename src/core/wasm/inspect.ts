/**
 * inspectWasm: a static listing of where casts can happen, without changing
 * anything. Lists the call_indirect sites by function and signature, the
 * call table's contents by signature, and the signature pairs that can
 * mismatch (a site of type T, a table slot of type F != T), with how each
 * pair would be handled.
 *
 *   fpcast-trampoline inspect build/app.wasm          # a readable table
 *   fpcast-trampoline inspect build/app.js --json     # the same as JSON
 */
import { binaryen, tableType } from './binaryen.ts'
import { parseSymbolMap } from '../options.ts'
import { readModule } from './read.ts'
import { listFunctions, scanModule } from './scan.ts'
import { readSegments } from './segments.ts'
import { compatibility, parseSig, sigKey, sigText } from './signature.ts'

export interface InspectResult {
  file: string
  sites: {
    total: number
    byFunction: { function: string; index: number; sites: { site: string; sig: string }[] }[]
    bySignature: { sig: string; text: string; sites: number }[]
  }
  /** The funcref tables, with the functions their element segments place, by signature. */
  tables: { name: string; initial: number; staticSlots: number; bySignature: { sig: string; text: string; slots: number }[] }[]
  /** Site signature against slot signature, for every pair that differs: what a call would do. */
  pairs: { site: string; slot: string; handling: 'adapt' | 'incompatible'; sites: number; slots: number }[]
}

export function inspectWasm(bytes: Uint8Array, options: { fileName?: string; symbolMap?: string } = {}): InspectResult {
  const file = options.fileName ?? '<wasm>'
  const { module: m } = readModule(bytes, file)
  try {
    const symbols = options.symbolMap ? parseSymbolMap(options.symbolMap) : new Map<number, string>()
    const functions = listFunctions(m, i => symbols.get(i))
    const scan = scanModule(m, functions, new Set(), file)
    const byFunction = new Map<number, InspectResult['sites']['byFunction'][number]>()
    const siteSigCount = new Map<string, number>()
    for (const s of scan.sites) {
      const row = byFunction.get(s.func.index) ?? { function: s.func.displayName, index: s.func.index, sites: [] }
      row.sites.push({ site: `${s.func.index}#${s.ordinal}`, sig: sigKey(s.sig) })
      byFunction.set(s.func.index, row)
      siteSigCount.set(sigKey(s.sig), (siteSigCount.get(sigKey(s.sig)) ?? 0) + 1)
    }
    const tables: InspectResult['tables'] = []
    const slotSigCount = new Map<string, number>()
    const segments = readSegments(m)
    for (let i = 0; i < m.getNumTables(); i++) {
      const info = binaryen.getTableInfo(m.getTableByIndex(i))
      if (tableType(m, info.name) !== binaryen.funcref) continue
      const counts = new Map<string, number>()
      let slots = 0
      for (const seg of segments.filter(s => s.table === info.name && !s.passive)) {
        for (const name of seg.data) {
          const f = scan.byName.get(name)
          if (!f) continue
          slots++
          counts.set(sigKey(f.sig), (counts.get(sigKey(f.sig)) ?? 0) + 1)
          if (scan.sites.some(s => s.table === info.name)) slotSigCount.set(sigKey(f.sig), (slotSigCount.get(sigKey(f.sig)) ?? 0) + 1)
        }
      }
      tables.push({
        name: info.name,
        initial: info.initial,
        staticSlots: slots,
        bySignature: sortRows(
          [...counts].map(([sig, n]) => ({ sig, text: sigText(parseSig(sig)!), slots: n })),
          'slots',
        ),
      })
    }
    const pairs: InspectResult['pairs'] = []
    for (const [t, sites] of siteSigCount) {
      for (const [f, slots] of slotSigCount) {
        if (t === f) continue
        const c = compatibility(parseSig(t)!, parseSig(f)!, false)
        pairs.push({ site: t, slot: f, handling: c === 'incompatible' ? 'incompatible' : 'adapt', sites, slots })
      }
    }
    return {
      file,
      sites: {
        total: scan.sites.length,
        byFunction: [...byFunction.values()].sort((a, b) => b.sites.length - a.sites.length || a.index - b.index),
        bySignature: sortRows(
          [...siteSigCount].map(([sig, n]) => ({ sig, text: sigText(parseSig(sig)!), sites: n })),
          'sites',
        ),
      },
      tables,
      pairs: pairs.sort((a, b) => (a.handling === b.handling ? b.sites * b.slots - a.sites * a.slots : a.handling === 'adapt' ? -1 : 1)),
    }
  } finally {
    m.dispose()
  }
}

function sortRows<T extends { sig: string }>(rows: T[], by: keyof T): T[] {
  return rows.sort((a, b) => (b[by] as number) - (a[by] as number) || a.sig.localeCompare(b.sig))
}

/** The result as aligned text tables, for people. */
export function formatInspect(r: InspectResult): string {
  const table = (head: string[], rows: (string | number)[][]) => {
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map(row => String(row[i]).length)))
    const line = (cells: (string | number)[]) =>
      cells
        .map((c, i) => String(c).padEnd(widths[i]))
        .join('  ')
        .trimEnd()
    return [line(head), line(widths.map(w => '-'.repeat(w))), ...rows.map(line)].join('\n')
  }
  const out = [`${r.file}: ${r.sites.total} call_indirect sites in ${r.sites.byFunction.length} functions`, '']
  out.push(
    'Sites by signature',
    table(
      ['sig', 'signature', 'sites'],
      r.sites.bySignature.map(s => [s.sig, s.text, s.sites]),
    ),
    '',
  )
  out.push(
    'Sites by function',
    table(
      ['function', 'sites', 'signatures'],
      r.sites.byFunction.map(f => [f.function, f.sites.length, [...new Set(f.sites.map(s => s.sig))].join(' ')]),
    ),
    '',
  )
  for (const t of r.tables)
    out.push(
      `Table ${t.name}: ${t.staticSlots} static slots (initial size ${t.initial})`,
      table(
        ['sig', 'signature', 'slots'],
        t.bySignature.map(s => [s.sig, s.text, s.slots]),
      ),
      '',
    )
  out.push(
    'Signature pairs that can mismatch (site type vs slot type)',
    table(
      ['site', 'slot', 'handling', 'sites', 'slots'],
      r.pairs.map(p => [p.site, p.slot, p.handling, p.sites, p.slots]),
    ),
  )
  return `${out.join('\n')}\n`
}
