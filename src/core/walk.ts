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

function buildChildTable(): Map<number, ChildrenOf> {
  const t = new Map<number, ChildrenOf>()
  const B = b
  t.set(B.BlockId, listed(B.Block.getNumChildren, B.Block.getChildAt))
  t.set(B.IfId, fixed(B.If.getCondition, B.If.getIfTrue, B.If.getIfFalse))
  t.set(B.LoopId, fixed(B.Loop.getBody))
  t.set(B.BreakId, fixed(B.Break.getValue, B.Break.getCondition))
  t.set(B.SwitchId, fixed(B.Switch.getValue, B.Switch.getCondition))
  t.set(B.CallId, listed(B.Call.getNumOperands, B.Call.getOperandAt))
  t.set(B.CallIndirectId, listed(B.CallIndirect.getNumOperands, B.CallIndirect.getOperandAt, B.CallIndirect.getTarget))
  t.set(B.CallRefId, listed(B.CallRef.getNumOperands, B.CallRef.getOperandAt, B.CallRef.getTarget))
  t.set(B.LocalGetId, none)
  t.set(B.LocalSetId, fixed(B.LocalSet.getValue))
  t.set(B.GlobalGetId, none)
  t.set(B.GlobalSetId, fixed(B.GlobalSet.getValue))
  t.set(B.TableGetId, fixed(B.TableGet.getIndex))
  t.set(B.TableSetId, fixed(B.TableSet.getIndex, B.TableSet.getValue))
  t.set(B.TableSizeId, none)
  t.set(B.TableGrowId, fixed(B.TableGrow.getValue, B.TableGrow.getDelta))
  t.set(B.MemorySizeId, none)
  t.set(B.MemoryGrowId, fixed(B.MemoryGrow.getDelta))
  t.set(B.LoadId, fixed(B.Load.getPtr))
  t.set(B.StoreId, fixed(B.Store.getPtr, B.Store.getValue))
  t.set(B.ConstId, none)
  t.set(B.UnaryId, fixed(B.Unary.getValue))
  t.set(B.BinaryId, fixed(B.Binary.getLeft, B.Binary.getRight))
  t.set(B.SelectId, fixed(B.Select.getIfTrue, B.Select.getIfFalse, B.Select.getCondition))
  t.set(B.DropId, fixed(B.Drop.getValue))
  t.set(B.ReturnId, fixed(B.Return.getValue))
  t.set(B.NopId, none)
  t.set(B.UnreachableId, none)
  t.set(B.PopId, none)
  t.set(B.AtomicRMWId, fixed(B.AtomicRMW.getPtr, B.AtomicRMW.getValue))
  t.set(B.AtomicCmpxchgId, fixed(B.AtomicCmpxchg.getPtr, B.AtomicCmpxchg.getExpected, B.AtomicCmpxchg.getReplacement))
  t.set(B.AtomicWaitId, fixed(B.AtomicWait.getPtr, B.AtomicWait.getExpected, B.AtomicWait.getTimeout))
  t.set(B.AtomicNotifyId, fixed(B.AtomicNotify.getPtr, B.AtomicNotify.getNotifyCount))
  t.set(B.AtomicFenceId, none)
  t.set(B.SIMDExtractId, fixed(B.SIMDExtract.getVec))
  t.set(B.SIMDReplaceId, fixed(B.SIMDReplace.getVec, B.SIMDReplace.getValue))
  t.set(B.SIMDShuffleId, fixed(B.SIMDShuffle.getLeft, B.SIMDShuffle.getRight))
  t.set(B.SIMDTernaryId, fixed(B.SIMDTernary.getA, B.SIMDTernary.getB, B.SIMDTernary.getC))
  t.set(B.SIMDShiftId, fixed(B.SIMDShift.getVec, B.SIMDShift.getShift))
  t.set(B.SIMDLoadId, fixed(B.SIMDLoad.getPtr))
  t.set(B.SIMDLoadStoreLaneId, fixed(B.SIMDLoadStoreLane.getPtr, B.SIMDLoadStoreLane.getVec))
  t.set(B.MemoryInitId, fixed(B.MemoryInit.getDest, B.MemoryInit.getOffset, B.MemoryInit.getSize))
  t.set(B.DataDropId, none)
  t.set(B.MemoryCopyId, fixed(B.MemoryCopy.getDest, B.MemoryCopy.getSource, B.MemoryCopy.getSize))
  t.set(B.MemoryFillId, fixed(B.MemoryFill.getDest, B.MemoryFill.getValue, B.MemoryFill.getSize))
  t.set(B.RefNullId, none)
  t.set(B.RefIsNullId, fixed(B.RefIsNull.getValue))
  t.set(B.RefAsId, fixed(B.RefAs.getValue))
  t.set(B.RefFuncId, none)
  t.set(B.RefEqId, fixed(B.RefEq.getLeft, B.RefEq.getRight))
  t.set(B.RefTestId, fixed(B.RefTest.getRef))
  t.set(B.RefCastId, fixed(B.RefCast.getRef))
  t.set(B.BrOnId, fixed(B.BrOn.getRef))
  t.set(B.StructNewId, listed(B.StructNew.getNumOperands, B.StructNew.getOperandAt))
  t.set(B.StructGetId, fixed(B.StructGet.getRef))
  t.set(B.StructSetId, fixed(B.StructSet.getRef, B.StructSet.getValue))
  t.set(B.ArrayNewId, fixed(B.ArrayNew.getInit, B.ArrayNew.getSize))
  t.set(B.ArrayNewFixedId, listed(B.ArrayNewFixed.getNumValues, B.ArrayNewFixed.getValueAt))
  t.set(B.ArrayNewDataId, fixed(B.ArrayNewData.getOffset, B.ArrayNewData.getSize))
  t.set(B.ArrayNewElemId, fixed(B.ArrayNewElem.getOffset, B.ArrayNewElem.getSize))
  t.set(B.ArrayGetId, fixed(B.ArrayGet.getRef, B.ArrayGet.getIndex))
  t.set(B.ArraySetId, fixed(B.ArraySet.getRef, B.ArraySet.getIndex, B.ArraySet.getValue))
  t.set(B.ArrayLenId, fixed(B.ArrayLen.getRef))
  t.set(B.ArrayFillId, fixed(B.ArrayFill.getRef, B.ArrayFill.getIndex, B.ArrayFill.getValue, B.ArrayFill.getSize))
  t.set(B.ArrayCopyId, fixed(B.ArrayCopy.getDestRef, B.ArrayCopy.getDestIndex, B.ArrayCopy.getSrcRef, B.ArrayCopy.getSrcIndex, B.ArrayCopy.getLength))
  t.set(B.ArrayInitDataId, fixed(B.ArrayInitData.getRef, B.ArrayInitData.getIndex, B.ArrayInitData.getOffset, B.ArrayInitData.getSize))
  t.set(B.ArrayInitElemId, fixed(B.ArrayInitElem.getRef, B.ArrayInitElem.getIndex, B.ArrayInitElem.getOffset, B.ArrayInitElem.getSize))
  t.set(B.TryId, listed(B.Try.getNumCatchBodies, B.Try.getCatchBodyAt, B.Try.getBody))
  t.set(B.ThrowId, listed(B.Throw.getNumOperands, B.Throw.getOperandAt))
  t.set(B.RethrowId, none)
  t.set(B.TupleMakeId, listed(B.TupleMake.getNumOperands, B.TupleMake.getOperandAt))
  t.set(B.TupleExtractId, fixed(B.TupleExtract.getTuple))
  t.set(B.RefI31Id, fixed(B.RefI31.getValue))
  t.set(B.I31GetId, fixed(B.I31Get.getI31))
  return t
}

let childTable: Map<number, ChildrenOf> | undefined

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
  childTable ??= buildChildTable()
  const stack = [root]
  const children: number[] = []
  while (stack.length) {
    const expr = stack.pop()!
    const id = b._BinaryenExpressionGetId(expr)
    visit(expr, id)
    const of = childTable.get(id)
    if (!of) {
      onOpaque(expr, id)
      continue
    }
    children.length = 0
    of(expr, children)
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i])
  }
}
