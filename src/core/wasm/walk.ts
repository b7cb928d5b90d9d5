/**
 * A generic pre-order walk over binaryen expressions.
 *
 * binaryen.js has no generic child iterator, so each expression class lists
 * its child getters here. An expression class we cannot look into (binaryen.js
 * exposes no getters for `try_table`, `throw_ref`, `table.fill/copy/init`,
 * stack switching) is reported through `onOpaque`, so a caller can refuse the
 * module loudly rather than silently miss call sites inside it.
 */
import { binaryen, binaryenExport, binaryenExportNames } from './binaryen.ts'

type Getter = (expr: number) => number
type ChildrenOf = (expr: number, out: number[]) => void

function fixed(...getters: Getter[]): ChildrenOf {
  return (expr, out) => {
    for (const get of getters) {
      const child = get(expr)
      if (child) out.push(child)
    }
  }
}

function listed(count: (e: number) => number, at: (e: number, i: number) => number, ...after: Getter[]): ChildrenOf {
  return (expr, out) => {
    const n = count(expr)
    for (let i = 0; i < n; i++) out.push(at(expr, i))
    for (const get of after) {
      const child = get(expr)
      if (child) out.push(child)
    }
  }
}

const none: ChildrenOf = () => {}

/**
 * The C API function behind a binaryen.js getter (`Block.getChildAt` ->
 * `_BinaryenBlockGetChildAt`): calling it directly skips a property lookup
 * on binaryen's very large module object per call, which is most of a walk's time.
 */
function g(cls: string, method: string): Getter {
  const raw = binaryenExport(`_Binaryen${cls}${method[0].toUpperCase()}${method.slice(1)}`)
  return (typeof raw === 'function' ? raw : (binaryenExport(cls) as Record<string, Getter>)[method]) as Getter
}

/** The child readers of every expression class binaryen.js can look into: a table, one line per class, hence its length. */
function buildChildTable(): Map<number, ChildrenOf> {
  const t = new Map<number, ChildrenOf>()

  t.set(binaryen.BlockId, listed(g('Block', 'getNumChildren'), g('Block', 'getChildAt')))
  t.set(binaryen.IfId, fixed(g('If', 'getCondition'), g('If', 'getIfTrue'), g('If', 'getIfFalse')))
  t.set(binaryen.LoopId, fixed(g('Loop', 'getBody')))
  t.set(binaryen.BreakId, fixed(g('Break', 'getValue'), g('Break', 'getCondition')))
  t.set(binaryen.SwitchId, fixed(g('Switch', 'getValue'), g('Switch', 'getCondition')))
  t.set(binaryen.CallId, listed(g('Call', 'getNumOperands'), g('Call', 'getOperandAt')))
  t.set(binaryen.CallIndirectId, listed(g('CallIndirect', 'getNumOperands'), g('CallIndirect', 'getOperandAt'), g('CallIndirect', 'getTarget')))
  t.set(binaryen.CallRefId, listed(g('CallRef', 'getNumOperands'), g('CallRef', 'getOperandAt'), g('CallRef', 'getTarget')))
  t.set(binaryen.LocalGetId, none)
  t.set(binaryen.LocalSetId, fixed(g('LocalSet', 'getValue')))
  t.set(binaryen.GlobalGetId, none)
  t.set(binaryen.GlobalSetId, fixed(g('GlobalSet', 'getValue')))
  t.set(binaryen.TableGetId, fixed(g('TableGet', 'getIndex')))
  t.set(binaryen.TableSetId, fixed(g('TableSet', 'getIndex'), g('TableSet', 'getValue')))
  t.set(binaryen.TableSizeId, none)
  t.set(binaryen.TableGrowId, fixed(g('TableGrow', 'getValue'), g('TableGrow', 'getDelta')))
  t.set(binaryen.MemorySizeId, none)
  t.set(binaryen.MemoryGrowId, fixed(g('MemoryGrow', 'getDelta')))
  t.set(binaryen.LoadId, fixed(g('Load', 'getPtr')))
  t.set(binaryen.StoreId, fixed(g('Store', 'getPtr'), g('Store', 'getValue')))
  t.set(binaryen.ConstId, none)
  t.set(binaryen.UnaryId, fixed(g('Unary', 'getValue')))
  t.set(binaryen.BinaryId, fixed(g('Binary', 'getLeft'), g('Binary', 'getRight')))
  t.set(binaryen.SelectId, fixed(g('Select', 'getIfTrue'), g('Select', 'getIfFalse'), g('Select', 'getCondition')))
  t.set(binaryen.DropId, fixed(g('Drop', 'getValue')))
  t.set(binaryen.ReturnId, fixed(g('Return', 'getValue')))
  t.set(binaryen.NopId, none)
  t.set(binaryen.UnreachableId, none)
  t.set(binaryen.PopId, none)
  t.set(binaryen.AtomicRMWId, fixed(g('AtomicRMW', 'getPtr'), g('AtomicRMW', 'getValue')))
  t.set(binaryen.AtomicCmpxchgId, fixed(g('AtomicCmpxchg', 'getPtr'), g('AtomicCmpxchg', 'getExpected'), g('AtomicCmpxchg', 'getReplacement')))
  t.set(binaryen.AtomicWaitId, fixed(g('AtomicWait', 'getPtr'), g('AtomicWait', 'getExpected'), g('AtomicWait', 'getTimeout')))
  t.set(binaryen.AtomicNotifyId, fixed(g('AtomicNotify', 'getPtr'), g('AtomicNotify', 'getNotifyCount')))
  t.set(binaryen.AtomicFenceId, none)
  t.set(binaryen.SIMDExtractId, fixed(g('SIMDExtract', 'getVec')))
  t.set(binaryen.SIMDReplaceId, fixed(g('SIMDReplace', 'getVec'), g('SIMDReplace', 'getValue')))
  t.set(binaryen.SIMDShuffleId, fixed(g('SIMDShuffle', 'getLeft'), g('SIMDShuffle', 'getRight')))
  t.set(binaryen.SIMDTernaryId, fixed(g('SIMDTernary', 'getA'), g('SIMDTernary', 'getB'), g('SIMDTernary', 'getC')))
  t.set(binaryen.SIMDShiftId, fixed(g('SIMDShift', 'getVec'), g('SIMDShift', 'getShift')))
  t.set(binaryen.SIMDLoadId, fixed(g('SIMDLoad', 'getPtr')))
  t.set(binaryen.SIMDLoadStoreLaneId, fixed(g('SIMDLoadStoreLane', 'getPtr'), g('SIMDLoadStoreLane', 'getVec')))
  t.set(binaryen.MemoryInitId, fixed(g('MemoryInit', 'getDest'), g('MemoryInit', 'getOffset'), g('MemoryInit', 'getSize')))
  t.set(binaryen.DataDropId, none)
  t.set(binaryen.MemoryCopyId, fixed(g('MemoryCopy', 'getDest'), g('MemoryCopy', 'getSource'), g('MemoryCopy', 'getSize')))
  t.set(binaryen.MemoryFillId, fixed(g('MemoryFill', 'getDest'), g('MemoryFill', 'getValue'), g('MemoryFill', 'getSize')))
  t.set(binaryen.RefNullId, none)
  t.set(binaryen.RefIsNullId, fixed(g('RefIsNull', 'getValue')))
  t.set(binaryen.RefAsId, fixed(g('RefAs', 'getValue')))
  t.set(binaryen.RefFuncId, none)
  t.set(binaryen.RefEqId, fixed(g('RefEq', 'getLeft'), g('RefEq', 'getRight')))
  t.set(binaryen.RefTestId, fixed(g('RefTest', 'getRef')))
  t.set(binaryen.RefCastId, fixed(g('RefCast', 'getRef')))
  t.set(binaryen.BrOnId, fixed(g('BrOn', 'getRef')))
  t.set(binaryen.StructNewId, listed(g('StructNew', 'getNumOperands'), g('StructNew', 'getOperandAt')))
  t.set(binaryen.StructGetId, fixed(g('StructGet', 'getRef')))
  t.set(binaryen.StructSetId, fixed(g('StructSet', 'getRef'), g('StructSet', 'getValue')))
  t.set(binaryen.ArrayNewId, fixed(g('ArrayNew', 'getInit'), g('ArrayNew', 'getSize')))
  t.set(binaryen.ArrayNewFixedId, listed(g('ArrayNewFixed', 'getNumValues'), g('ArrayNewFixed', 'getValueAt')))
  t.set(binaryen.ArrayNewDataId, fixed(g('ArrayNewData', 'getOffset'), g('ArrayNewData', 'getSize')))
  t.set(binaryen.ArrayNewElemId, fixed(g('ArrayNewElem', 'getOffset'), g('ArrayNewElem', 'getSize')))
  t.set(binaryen.ArrayGetId, fixed(g('ArrayGet', 'getRef'), g('ArrayGet', 'getIndex')))
  t.set(binaryen.ArraySetId, fixed(g('ArraySet', 'getRef'), g('ArraySet', 'getIndex'), g('ArraySet', 'getValue')))
  t.set(binaryen.ArrayLenId, fixed(g('ArrayLen', 'getRef')))
  t.set(binaryen.ArrayFillId, fixed(g('ArrayFill', 'getRef'), g('ArrayFill', 'getIndex'), g('ArrayFill', 'getValue'), g('ArrayFill', 'getSize')))
  t.set(
    binaryen.ArrayCopyId,
    fixed(
      g('ArrayCopy', 'getDestRef'),
      g('ArrayCopy', 'getDestIndex'),
      g('ArrayCopy', 'getSrcRef'),
      g('ArrayCopy', 'getSrcIndex'),
      g('ArrayCopy', 'getLength'),
    ),
  )
  t.set(
    binaryen.ArrayInitDataId,
    fixed(g('ArrayInitData', 'getRef'), g('ArrayInitData', 'getIndex'), g('ArrayInitData', 'getOffset'), g('ArrayInitData', 'getSize')),
  )
  t.set(
    binaryen.ArrayInitElemId,
    fixed(g('ArrayInitElem', 'getRef'), g('ArrayInitElem', 'getIndex'), g('ArrayInitElem', 'getOffset'), g('ArrayInitElem', 'getSize')),
  )
  t.set(binaryen.TryId, listed(g('Try', 'getNumCatchBodies'), g('Try', 'getCatchBodyAt'), g('Try', 'getBody')))
  t.set(binaryen.ThrowId, listed(g('Throw', 'getNumOperands'), g('Throw', 'getOperandAt')))
  t.set(binaryen.RethrowId, none)
  t.set(binaryen.TupleMakeId, listed(g('TupleMake', 'getNumOperands'), g('TupleMake', 'getOperandAt')))
  t.set(binaryen.TupleExtractId, fixed(g('TupleExtract', 'getTuple')))
  t.set(binaryen.RefI31Id, fixed(g('RefI31', 'getValue')))
  t.set(binaryen.I31GetId, fixed(g('I31Get', 'getI31')))
  return t
}

/** Child readers indexed by expression id (an array: this is the hottest loop of a transform). */
let childTable: (ChildrenOf | undefined)[] | undefined

/** Human name of an expression id, for error messages. */
export function expressionKindName(id: number): string {
  const names = binaryenExportNames()
  for (const key of names) if (key.endsWith('Id') && binaryenExport(key) === id && key !== 'InvalidId') return key.slice(0, -2)
  const raw = names.find(k => {
    const get = /^_Binaryen\w+Id$/.test(k) && binaryenExport(k)
    return typeof get === 'function' && get() === id
  })
  return raw ? raw.slice(9, -2) : `#${id}`
}

/** On the walk's stack, above an expression: leave it now (0 is never an expression). */
const LEAVE = 0

/**
 * Visits `root` and every expression below it, parents before children.
 * `onOpaque` is called for an expression whose children cannot be read.
 * `leave`, given, is called for each expression of id `leaveId` after its
 * children: in the order of the binary's instructions (operands first).
 */
export function walk(
  root: number,
  visit: (expr: number, id: number) => void,
  onOpaque: (expr: number, id: number) => void,
  leaveId = -1,
  leave?: (expr: number) => void,
): void {
  childTable ??= [...buildChildTable()].reduce<(ChildrenOf | undefined)[]>((t, [id, of]) => {
    t[id] = of
    return t
  }, [])
  const table = childTable
  const getId = binaryen._BinaryenExpressionGetId
  const stack = [root]
  const children: number[] = []
  while (stack.length) {
    const expr = stack.pop()!
    if (expr === LEAVE) {
      leave!(stack.pop()!) // its children are done
      continue
    }
    const id = getId(expr)
    visit(expr, id)
    if (id === leaveId) stack.push(expr, LEAVE)
    const of = table[id]
    if (!of) {
      onOpaque(expr, id)
      continue
    }
    children.length = 0
    of(expr, children)
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i])
  }
}
