// A small generic expression walker for binaryen.js.
//
// binaryen.js has no visitor API, and its index.d.ts does not declare the
// per-class namespaces (binaryen.Block, binaryen.If, ...) that the runtime
// exposes, so they are reached through a loosely typed view of the module.
// Every expression id the runtime knows a class for is listed; an id without
// an entry makes the walker throw rather than silently skip a subtree.
import binaryen from 'binaryen'

type Ref = number
type Getter = (expr: Ref) => Ref
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const B = binaryen as any

function list(cls: string, num: string, at: string): (expr: Ref) => Ref[] {
  return expr => {
    const n: number = B[cls][num](expr)
    const out: Ref[] = []
    for (let i = 0; i < n; i++) out.push(B[cls][at](expr, i))
    return out
  }
}

function fields(cls: string, ...getters: string[]): (expr: Ref) => Ref[] {
  return expr => getters.map(g => (B[cls][g] as Getter)(expr))
}

function concat(...parts: Array<(expr: Ref) => Ref[]>): (expr: Ref) => Ref[] {
  return expr => parts.flatMap(p => p(expr))
}

const none = (): Ref[] => []

/** Children of each expression class, in evaluation order (null refs are dropped later). */
const CHILDREN: Record<string, (expr: Ref) => Ref[]> = {
  Nop: none,
  Unreachable: none,
  Pop: none,
  RefNull: none,
  LocalGet: none,
  GlobalGet: none,
  Const: none,
  MemorySize: none,
  AtomicFence: none,
  DataDrop: none,
  RefFunc: none,
  Rethrow: none,
  TableSize: none,
  Block: list('Block', 'getNumChildren', 'getChildAt'),
  If: fields('If', 'getCondition', 'getIfTrue', 'getIfFalse'),
  Loop: fields('Loop', 'getBody'),
  Break: fields('Break', 'getValue', 'getCondition'),
  Switch: fields('Switch', 'getValue', 'getCondition'),
  Call: list('Call', 'getNumOperands', 'getOperandAt'),
  CallIndirect: concat(list('CallIndirect', 'getNumOperands', 'getOperandAt'), fields('CallIndirect', 'getTarget')),
  LocalSet: fields('LocalSet', 'getValue'),
  GlobalSet: fields('GlobalSet', 'getValue'),
  Load: fields('Load', 'getPtr'),
  Store: fields('Store', 'getPtr', 'getValue'),
  Unary: fields('Unary', 'getValue'),
  Binary: fields('Binary', 'getLeft', 'getRight'),
  Select: fields('Select', 'getIfTrue', 'getIfFalse', 'getCondition'),
  Drop: fields('Drop', 'getValue'),
  Return: fields('Return', 'getValue'),
  MemoryGrow: fields('MemoryGrow', 'getDelta'),
  AtomicCmpxchg: fields('AtomicCmpxchg', 'getPtr', 'getExpected', 'getReplacement'),
  AtomicRMW: fields('AtomicRMW', 'getPtr', 'getValue'),
  AtomicWait: fields('AtomicWait', 'getPtr', 'getExpected', 'getTimeout'),
  AtomicNotify: fields('AtomicNotify', 'getPtr', 'getNotifyCount'),
  SIMDExtract: fields('SIMDExtract', 'getVec'),
  SIMDReplace: fields('SIMDReplace', 'getVec', 'getValue'),
  SIMDShuffle: fields('SIMDShuffle', 'getLeft', 'getRight'),
  SIMDTernary: fields('SIMDTernary', 'getA', 'getB', 'getC'),
  SIMDShift: fields('SIMDShift', 'getVec', 'getShift'),
  SIMDLoad: fields('SIMDLoad', 'getPtr'),
  SIMDLoadStoreLane: fields('SIMDLoadStoreLane', 'getPtr', 'getVec'),
  MemoryInit: fields('MemoryInit', 'getDest', 'getOffset', 'getSize'),
  MemoryCopy: fields('MemoryCopy', 'getDest', 'getSource', 'getSize'),
  MemoryFill: fields('MemoryFill', 'getDest', 'getValue', 'getSize'),
  RefIsNull: fields('RefIsNull', 'getValue'),
  RefEq: fields('RefEq', 'getLeft', 'getRight'),
  RefAs: fields('RefAs', 'getValue'),
  TableGet: fields('TableGet', 'getIndex'),
  TableSet: fields('TableSet', 'getIndex', 'getValue'),
  TableGrow: fields('TableGrow', 'getValue', 'getDelta'),
  Try: concat(fields('Try', 'getBody'), list('Try', 'getNumCatchBodies', 'getCatchBodyAt')),
  Throw: list('Throw', 'getNumOperands', 'getOperandAt'),
  TupleMake: list('TupleMake', 'getNumOperands', 'getOperandAt'),
  TupleExtract: fields('TupleExtract', 'getTuple'),
  RefI31: fields('RefI31', 'getValue'),
  I31Get: fields('I31Get', 'getI31'),
  CallRef: concat(list('CallRef', 'getNumOperands', 'getOperandAt'), fields('CallRef', 'getTarget')),
  RefTest: fields('RefTest', 'getRef'),
  RefCast: fields('RefCast', 'getRef'),
  BrOn: fields('BrOn', 'getRef'),
  StructNew: list('StructNew', 'getNumOperands', 'getOperandAt'),
  StructGet: fields('StructGet', 'getRef'),
  StructSet: fields('StructSet', 'getRef', 'getValue'),
  ArrayNew: fields('ArrayNew', 'getInit', 'getSize'),
  ArrayNewFixed: list('ArrayNewFixed', 'getNumValues', 'getValueAt'),
  ArrayNewData: fields('ArrayNewData', 'getOffset', 'getSize'),
  ArrayNewElem: fields('ArrayNewElem', 'getOffset', 'getSize'),
  ArrayGet: fields('ArrayGet', 'getRef', 'getIndex'),
  ArraySet: fields('ArraySet', 'getRef', 'getIndex', 'getValue'),
  ArrayLen: fields('ArrayLen', 'getRef'),
  ArrayFill: fields('ArrayFill', 'getRef', 'getIndex', 'getValue', 'getSize'),
  ArrayCopy: fields('ArrayCopy', 'getDestRef', 'getDestIndex', 'getSrcRef', 'getSrcIndex', 'getLength'),
  ArrayInitData: fields('ArrayInitData', 'getRef', 'getIndex', 'getOffset', 'getSize'),
  ArrayInitElem: fields('ArrayInitElem', 'getRef', 'getIndex', 'getOffset', 'getSize'),
}

const BY_ID = new Map<number, { name: string; children: (expr: Ref) => Ref[] }>()
for (const [name, children] of Object.entries(CHILDREN)) {
  const id = B[`${name}Id`]
  if (typeof id === 'number') BY_ID.set(id, { name, children })
}

/** Name of an expression's class ("Block", "CallIndirect", ...), or `#<id>` if unknown. */
export function expressionKind(expr: Ref): string {
  const id: number = binaryen.getExpressionId(expr)
  return BY_ID.get(id)?.name ?? `#${id}`
}

/** Direct children of `expr`, in evaluation order. Throws on an expression class it does not know. */
export function children(expr: Ref): Ref[] {
  const id: number = binaryen.getExpressionId(expr)
  const entry = BY_ID.get(id)
  if (!entry) throw new Error(`walk: no child getters for expression id ${id}`)
  return entry.children(expr).filter(c => c !== 0)
}

/** Pre-order walk of `root` and all its descendants (iterative: deep bodies do not overflow the JS stack). */
export function walk(root: Ref, visit: (expr: Ref, parent: Ref | 0) => void): void {
  if (!root) return
  const stack: Array<[Ref, Ref | 0]> = [[root, 0]]
  while (stack.length) {
    const [expr, parent] = stack.pop()!
    visit(expr, parent)
    const kids = children(expr)
    for (let i = kids.length - 1; i >= 0; i--) stack.push([kids[i], expr])
  }
}

/** Every defined (non-imported) function of the module, with its body. */
export function definedFunctions(mod: binaryen.Module): Array<{ index: number; ref: binaryen.FunctionRef; info: binaryen.FunctionInfo }> {
  const out = []
  const n = mod.getNumFunctions()
  for (let i = 0; i < n; i++) {
    const ref = mod.getFunctionByIndex(i)
    const info = binaryen.getFunctionInfo(ref)
    if (!info.module && info.body) out.push({ index: i, ref, info })
  }
  return out
}

/** Counts expressions by class over every defined function body. */
export function countExpressions(mod: binaryen.Module): Map<string, number> {
  const counts = new Map<string, number>()
  for (const { info } of definedFunctions(mod)) {
    walk(info.body, e => {
      const k = expressionKind(e)
      counts.set(k, (counts.get(k) ?? 0) + 1)
    })
  }
  return counts
}
