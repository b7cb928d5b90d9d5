/**
 * A generic pre-order walk over binaryen expressions.
 *
 * binaryen.js has no generic child iterator, so each expression class lists
 * its child getters here. An expression class we cannot look into (binaryen.js
 * exposes no getters for `try_table`, `throw_ref`, `table.fill/copy/init`,
 * stack switching) is reported through `onOpaque`, so a caller can refuse the
 * module loudly rather than silently miss call sites inside it.
 */
import binaryen from 'binaryen'

type Getter = (expr: number) => number
type ChildrenOf = (expr: number, out: number[]) => void

const b = binaryen as any

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
  const raw = b[`_Binaryen${cls}${method[0].toUpperCase()}${method.slice(1)}`]
  return typeof raw === 'function' ? raw : b[cls][method]
}

function buildChildTable(): Map<number, ChildrenOf> {
  const t = new Map<number, ChildrenOf>()
  const B = b
  t.set(B.BlockId, listed(g('Block', 'getNumChildren'), g('Block', 'getChildAt')))
  t.set(B.IfId, fixed(g('If', 'getCondition'), g('If', 'getIfTrue'), g('If', 'getIfFalse')))
  t.set(B.LoopId, fixed(g('Loop', 'getBody')))
  t.set(B.BreakId, fixed(g('Break', 'getValue'), g('Break', 'getCondition')))
  t.set(B.SwitchId, fixed(g('Switch', 'getValue'), g('Switch', 'getCondition')))
  t.set(B.CallId, listed(g('Call', 'getNumOperands'), g('Call', 'getOperandAt')))
  t.set(B.CallIndirectId, listed(g('CallIndirect', 'getNumOperands'), g('CallIndirect', 'getOperandAt'), g('CallIndirect', 'getTarget')))
  t.set(B.CallRefId, listed(g('CallRef', 'getNumOperands'), g('CallRef', 'getOperandAt'), g('CallRef', 'getTarget')))
  t.set(B.LocalGetId, none)
  t.set(B.LocalSetId, fixed(g('LocalSet', 'getValue')))
  t.set(B.GlobalGetId, none)
  t.set(B.GlobalSetId, fixed(g('GlobalSet', 'getValue')))
  t.set(B.TableGetId, fixed(g('TableGet', 'getIndex')))
  t.set(B.TableSetId, fixed(g('TableSet', 'getIndex'), g('TableSet', 'getValue')))
  t.set(B.TableSizeId, none)
  t.set(B.TableGrowId, fixed(g('TableGrow', 'getValue'), g('TableGrow', 'getDelta')))
  t.set(B.MemorySizeId, none)
  t.set(B.MemoryGrowId, fixed(g('MemoryGrow', 'getDelta')))
  t.set(B.LoadId, fixed(g('Load', 'getPtr')))
  t.set(B.StoreId, fixed(g('Store', 'getPtr'), g('Store', 'getValue')))
  t.set(B.ConstId, none)
  t.set(B.UnaryId, fixed(g('Unary', 'getValue')))
  t.set(B.BinaryId, fixed(g('Binary', 'getLeft'), g('Binary', 'getRight')))
  t.set(B.SelectId, fixed(g('Select', 'getIfTrue'), g('Select', 'getIfFalse'), g('Select', 'getCondition')))
  t.set(B.DropId, fixed(g('Drop', 'getValue')))
  t.set(B.ReturnId, fixed(g('Return', 'getValue')))
  t.set(B.NopId, none)
  t.set(B.UnreachableId, none)
  t.set(B.PopId, none)
  t.set(B.AtomicRMWId, fixed(g('AtomicRMW', 'getPtr'), g('AtomicRMW', 'getValue')))
  t.set(B.AtomicCmpxchgId, fixed(g('AtomicCmpxchg', 'getPtr'), g('AtomicCmpxchg', 'getExpected'), g('AtomicCmpxchg', 'getReplacement')))
  t.set(B.AtomicWaitId, fixed(g('AtomicWait', 'getPtr'), g('AtomicWait', 'getExpected'), g('AtomicWait', 'getTimeout')))
  t.set(B.AtomicNotifyId, fixed(g('AtomicNotify', 'getPtr'), g('AtomicNotify', 'getNotifyCount')))
  t.set(B.AtomicFenceId, none)
  t.set(B.SIMDExtractId, fixed(g('SIMDExtract', 'getVec')))
  t.set(B.SIMDReplaceId, fixed(g('SIMDReplace', 'getVec'), g('SIMDReplace', 'getValue')))
  t.set(B.SIMDShuffleId, fixed(g('SIMDShuffle', 'getLeft'), g('SIMDShuffle', 'getRight')))
  t.set(B.SIMDTernaryId, fixed(g('SIMDTernary', 'getA'), g('SIMDTernary', 'getB'), g('SIMDTernary', 'getC')))
  t.set(B.SIMDShiftId, fixed(g('SIMDShift', 'getVec'), g('SIMDShift', 'getShift')))
  t.set(B.SIMDLoadId, fixed(g('SIMDLoad', 'getPtr')))
  t.set(B.SIMDLoadStoreLaneId, fixed(g('SIMDLoadStoreLane', 'getPtr'), g('SIMDLoadStoreLane', 'getVec')))
  t.set(B.MemoryInitId, fixed(g('MemoryInit', 'getDest'), g('MemoryInit', 'getOffset'), g('MemoryInit', 'getSize')))
  t.set(B.DataDropId, none)
  t.set(B.MemoryCopyId, fixed(g('MemoryCopy', 'getDest'), g('MemoryCopy', 'getSource'), g('MemoryCopy', 'getSize')))
  t.set(B.MemoryFillId, fixed(g('MemoryFill', 'getDest'), g('MemoryFill', 'getValue'), g('MemoryFill', 'getSize')))
  t.set(B.RefNullId, none)
  t.set(B.RefIsNullId, fixed(g('RefIsNull', 'getValue')))
  t.set(B.RefAsId, fixed(g('RefAs', 'getValue')))
  t.set(B.RefFuncId, none)
  t.set(B.RefEqId, fixed(g('RefEq', 'getLeft'), g('RefEq', 'getRight')))
  t.set(B.RefTestId, fixed(g('RefTest', 'getRef')))
  t.set(B.RefCastId, fixed(g('RefCast', 'getRef')))
  t.set(B.BrOnId, fixed(g('BrOn', 'getRef')))
  t.set(B.StructNewId, listed(g('StructNew', 'getNumOperands'), g('StructNew', 'getOperandAt')))
  t.set(B.StructGetId, fixed(g('StructGet', 'getRef')))
  t.set(B.StructSetId, fixed(g('StructSet', 'getRef'), g('StructSet', 'getValue')))
  t.set(B.ArrayNewId, fixed(g('ArrayNew', 'getInit'), g('ArrayNew', 'getSize')))
  t.set(B.ArrayNewFixedId, listed(g('ArrayNewFixed', 'getNumValues'), g('ArrayNewFixed', 'getValueAt')))
  t.set(B.ArrayNewDataId, fixed(g('ArrayNewData', 'getOffset'), g('ArrayNewData', 'getSize')))
  t.set(B.ArrayNewElemId, fixed(g('ArrayNewElem', 'getOffset'), g('ArrayNewElem', 'getSize')))
  t.set(B.ArrayGetId, fixed(g('ArrayGet', 'getRef'), g('ArrayGet', 'getIndex')))
  t.set(B.ArraySetId, fixed(g('ArraySet', 'getRef'), g('ArraySet', 'getIndex'), g('ArraySet', 'getValue')))
  t.set(B.ArrayLenId, fixed(g('ArrayLen', 'getRef')))
  t.set(B.ArrayFillId, fixed(g('ArrayFill', 'getRef'), g('ArrayFill', 'getIndex'), g('ArrayFill', 'getValue'), g('ArrayFill', 'getSize')))
  t.set(
    B.ArrayCopyId,
    fixed(
      g('ArrayCopy', 'getDestRef'),
      g('ArrayCopy', 'getDestIndex'),
      g('ArrayCopy', 'getSrcRef'),
      g('ArrayCopy', 'getSrcIndex'),
      g('ArrayCopy', 'getLength'),
    ),
  )
  t.set(B.ArrayInitDataId, fixed(g('ArrayInitData', 'getRef'), g('ArrayInitData', 'getIndex'), g('ArrayInitData', 'getOffset'), g('ArrayInitData', 'getSize')))
  t.set(B.ArrayInitElemId, fixed(g('ArrayInitElem', 'getRef'), g('ArrayInitElem', 'getIndex'), g('ArrayInitElem', 'getOffset'), g('ArrayInitElem', 'getSize')))
  t.set(B.TryId, listed(g('Try', 'getNumCatchBodies'), g('Try', 'getCatchBodyAt'), g('Try', 'getBody')))
  t.set(B.ThrowId, listed(g('Throw', 'getNumOperands'), g('Throw', 'getOperandAt')))
  t.set(B.RethrowId, none)
  t.set(B.TupleMakeId, listed(g('TupleMake', 'getNumOperands'), g('TupleMake', 'getOperandAt')))
  t.set(B.TupleExtractId, fixed(g('TupleExtract', 'getTuple')))
  t.set(B.RefI31Id, fixed(g('RefI31', 'getValue')))
  t.set(B.I31GetId, fixed(g('I31Get', 'getI31')))
  return t
}

/** Child readers indexed by expression id (an array: this is the hottest loop of a transform). */
let childTable: (ChildrenOf | undefined)[] | undefined

/** Human name of an expression id, for error messages. */
export function expressionKindName(id: number): string {
  for (const key of Object.keys(b)) if (key.endsWith('Id') && b[key] === id && key !== 'InvalidId') return key.slice(0, -2)
  const raw = Object.keys(b).find(k => /^_Binaryen\w+Id$/.test(k) && b[k]() === id)
  return raw ? raw.slice(9, -2) : `#${id}`
}

/**
 * Visits `root` and every expression below it, parents before children.
 * `onOpaque` is called for an expression whose children cannot be read.
 */
export function walk(root: number, visit: (expr: number, id: number) => void, onOpaque: (expr: number, id: number) => void): void {
  childTable ??= [...buildChildTable()].reduce<(ChildrenOf | undefined)[]>((t, [id, of]) => {
    t[id] = of
    return t
  }, [])
  const table = childTable
  const getId: (expr: number) => number = b._BinaryenExpressionGetId
  const stack = [root]
  const children: number[] = []
  while (stack.length) {
    const expr = stack.pop()!
    const id = getId(expr)
    visit(expr, id)
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
