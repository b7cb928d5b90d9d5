/**
 * Tables and element segments as both strategies, inspect and transform read
 * and add them: the segments of a module, how JS reaches a table, the hooks
 * table, and additions kept within binaryen.js's limits.
 *
 * binaryen.js copies the names and children it is handed onto its own stack
 * of a few MB (600,000 br_table labels overflowed it and left that binaryen
 * instance unusable), so long lists are handed over in chunks.
 */
import { HOOKS_TABLE, type TableAccess } from '../protocol.ts'
import { binaryen, type ExpressionRef, type Module } from './binaryen.ts'

/** Most names (or children) handed to binaryen.js in one call (see above). */
export const BR_TABLE_CHUNK = 16384

export interface Segment {
  name: string
  table: string
  passive: boolean
  /** The offset expression of an active segment. */
  offset: ExpressionRef
  /** Function names, in slot order. */
  data: string[]
  /** A passive segment binaryen.js cannot list (see readSegments): its data is left empty. */
  unlisted?: true
}

/**
 * The module's element segments, in order. binaryen.js 132's
 * getElementSegmentInfo throws (a C++ exception) on a passive segment, as it
 * asks for its table, and exports nothing else that reads a segment's
 * names: a passive segment comes back `unlisted`, with no data. Only the
 * strategies' priming needs it (and refuses it: context.ts).
 */
export function readSegments(m: Module): Segment[] {
  const out: Segment[] = []
  const n = m.getNumElementSegments()
  for (let i = 0; i < n; i++) {
    const ref = m.getElementSegmentByIndex(i)
    if (binaryen._BinaryenElementSegmentIsPassive(ref)) {
      out.push({ name: '', table: '', passive: true, offset: 0, data: [], unlisted: true })
      continue
    }
    const info = binaryen.getElementSegmentInfo(ref)
    out.push({ name: info.name, table: info.table, passive: false, offset: info.offset, data: info.data })
  }
  return out
}

/** Describes how JS reaches the call table: by export, by import, or not at all. */
export function tableAccess(m: Module, table: string): TableAccess {
  const info = binaryen.getTableInfo(m.getTable(table))
  if (info.module) return { import: { module: info.module, base: info.base! } }
  const n = m.getNumExports()
  for (let i = 0; i < n; i++) {
    const e = binaryen.getExportInfo(m.getExportByIndex(i))
    if (e.kind === binaryen.ExternalTable && e.value === table) return { export: e.name }
  }
  return {}
}

/** Adds the hooks table the runtime fills (see protocol.ts), exported under its own name. */
export function addHooksTable(m: Module, initial = 2): string {
  m.addTable(HOOKS_TABLE, initial, -1)
  m.addTableExport(HOOKS_TABLE, HOOKS_TABLE)
  return HOOKS_TABLE
}

/**
 * An active element segment, split into segments of at most BR_TABLE_CHUNK
 * entries. Only a constant offset can be split; a longer segment at a
 * computed one is refused.
 */
export function addActiveSegment(m: Module, table: string, name: string, data: string[], offset: ExpressionRef, fail: (msg: string) => Error): void {
  if (data.length <= BR_TABLE_CHUNK) {
    m.addActiveElementSegment(table, name, data, offset)
    return
  }
  if (binaryen._BinaryenExpressionGetId(offset) !== binaryen.ConstId)
    throw fail(
      `element segment ${name} has ${data.length} entries at a computed offset; with slotVia 'argument' at most ${BR_TABLE_CHUNK} are supported there, nothing was written: use the default slotVia 'global'`,
    )
  const base = binaryen.Const.getValueI32(offset)
  for (let at = 0; at < data.length; at += BR_TABLE_CHUNK) {
    m.addActiveElementSegment(table, at ? `${name}$${at}` : name, data.slice(at, at + BR_TABLE_CHUNK), m.i32.const(base + at))
  }
}

/** A block of many expressions, as nested blocks of at most BR_TABLE_CHUNK children. */
export function chunkedBlock(m: Module, children: ExpressionRef[]): ExpressionRef {
  if (children.length <= BR_TABLE_CHUNK) return m.block(null, children)
  const parts: ExpressionRef[] = []
  for (let at = 0; at < children.length; at += BR_TABLE_CHUNK) parts.push(m.block(null, children.slice(at, at + BR_TABLE_CHUNK)))
  return chunkedBlock(m, parts)
}
