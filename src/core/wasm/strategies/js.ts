/**
 * The `js` strategy: Pyodide's original patch, applied at the selected sites.
 * Each site calls a JS import that does `table.get(idx)(...args)`. Kept for
 * comparison and as a last resort: every call is a JS round trip, a JS frame
 * stays on the stack (JSPI cannot suspend through it), a missing i64 argument
 * throws (undefined is not a BigInt) and a missing f64 becomes NaN.
 *
 * The site stays a `call_indirect`, retargeted to the imported hooks table,
 * which holds one JS trampoline per signature: no parent expression has to be
 * rebuilt, and no function import shifts the module's function indices.
 */
import { binaryen, type Module, tupleType } from '../binaryen.ts'
import type { CallIndirectSite } from '../scan.ts'
import { type JsMeta, PREFIX, type TableAccess } from '../../protocol.ts'
import { addHooksTable, tableAccess } from '../segments.ts'
import { type Sig, sigKey, wireSig } from '../signature.ts'

export function applyJs(m: Module, sites: CallIndirectSite[]): { meta: JsMeta } {
  const sigs = new Map<string, Sig>()
  for (const s of sites) sigs.set(sigKey(s.sig), s.sig)
  const keys = [...sigs.keys()]
  // Slot i of the imported hooks table holds the runtime's trampoline for keys[i].
  const JS_TABLE = addHooksTable(m, keys.length)

  const tables = new Set(sites.map(s => s.table))
  const access: Record<string, TableAccess> = {}
  for (const table of tables) {
    let a = tableAccess(m, table)
    if (!a.export && !a.import) {
      m.addTableExport(table, `${PREFIX}table$${table}`)
      a = { export: `${PREFIX}table$${table}` }
    }
    access[table] = a
  }
  for (const site of sites) {
    const key = sigKey(site.sig)
    const target = binaryen.CallIndirect.getTarget(site.expr)
    binaryen.CallIndirect.appendOperand(site.expr, target)
    binaryen.CallIndirect.setTarget(site.expr, m.i32.const(keys.indexOf(key)))
    binaryen.CallIndirect.setTable(site.expr, JS_TABLE)
    binaryen.CallIndirect.setParams(site.expr, tupleType([...site.sig.params, 'i32']))
  }
  // One table per import key in the metadata: which main table each site signature reads from.
  const tableOfKey: Record<string, TableAccess> = {}
  for (const site of sites) tableOfKey[wireSig(site.sig)] = access[site.table]
  return { meta: { strategy: 'js', jsSigs: keys.map(k => wireSig(sigs.get(k)!)), jsTables: tableOfKey } }
}
