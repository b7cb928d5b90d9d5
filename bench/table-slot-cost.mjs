// What a table slot costs in the JS engine's heap, for the memory row of the
// bench: a funcref table with every slot set (like a grown shadow, full of
// resolvers and functions), a funcref table left null, and an externref table
// (like the table of changed slots).
//
//   node --expose-gc bench/table-slot-cost.mjs
//
// Prints heapUsed bytes per slot for each kind (200,000 slots each, one
// instance per kind, after a full GC). On Node 20.20: 40, 16 and 8 bytes;
// on Node 24.21: 56, 32 and 8.
import binaryen from 'binaryen'

const N = 200_000
const KINDS = {
  'funcref, every slot set': m => {
    m.addTable('t', N, N, binaryen.funcref)
    m.addActiveElementSegment('t', 's', new Array(N).fill('f'), m.i32.const(0))
  },
  'funcref, null': m => m.addTable('t', N, N, binaryen.funcref),
  'externref, null': m => m.addTable('t', N, N, binaryen.externref),
}
if (typeof globalThis.gc !== 'function') {
  console.error('run with node --expose-gc')
  process.exit(2)
}
// Every instance stays alive, so a later measurement never sees an earlier table collected.
const kept = []
for (const [kind, addTable] of Object.entries(KINDS)) {
  const m = new binaryen.Module()
  m.setFeatures(binaryen.Features.All)
  m.addFunction('f', binaryen.none, binaryen.none, [], m.nop())
  addTable(m)
  m.addTableExport('t', 't')
  const module = new WebAssembly.Module(m.emitBinary())
  m.dispose()
  globalThis.gc()
  const before = process.memoryUsage().heapUsed
  const instance = new WebAssembly.Instance(module, {})
  globalThis.gc()
  const perSlot = (process.memoryUsage().heapUsed - before) / N
  kept.push(instance)
  console.log(`${kind.padEnd(24)} ${perSlot.toFixed(1)} bytes/slot (table length ${instance.exports.t.length})`)
}
