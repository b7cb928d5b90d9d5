/**
 * binaryen.js as the transform uses it: the parts its typings (index.d.ts)
 * leave out, declared here once with their types, and conversions between
 * binaryen's value types and our `ValType` names.
 *
 *   import { binaryen, type Module } from './binaryen.ts'
 *   binaryen.CallIndirect.setTarget(site, m.i32.const(0))
 *
 * Every file of src/core/wasm takes binaryen from here; nothing else reaches
 * past the typings.
 */
import binaryenJs from 'binaryen'
import { FpcastError } from '../errors.ts'
import type { Sig, ValType } from './signature.ts'

export type Module = binaryenJs.Module
export type ExpressionRef = binaryenJs.ExpressionRef
type FunctionRef = binaryenJs.FunctionRef
export type Type = binaryenJs.Type
type HeapType = binaryenJs.HeapType

/** local.get, local.set and local.tee: which local. */
interface LocalAccess {
  getIndex(expr: ExpressionRef): number
  setIndex(expr: ExpressionRef, index: number): void
}

/** What binaryen.js exports but index.d.ts does not declare: C API functions, and the expression classes' static accessors. */
interface Untyped {
  _BinaryenExpressionGetId(expr: ExpressionRef): number
  _BinaryenFunctionGetBody(func: FunctionRef): ExpressionRef
  _BinaryenFunctionGetType(func: FunctionRef): HeapType
  _BinaryenFunctionSetType(func: FunctionRef, type: HeapType): void
  _BinaryenFunctionSetBody(func: FunctionRef, body: ExpressionRef): void
  /** Adds a local; returns its index. */
  _BinaryenFunctionAddVar(func: FunctionRef, type: Type): number
  /** Nonzero for a passive segment. */
  _BinaryenElementSegmentIsPassive(segment: binaryenJs.ElementSegmentRef): number
  _BinaryenTableGetType(table: binaryenJs.TableRef): Type
  Const: { getValueI32(expr: ExpressionRef): number }
  Call: { getTarget(expr: ExpressionRef): string; appendOperand(expr: ExpressionRef, operand: ExpressionRef): number }
  CallIndirect: {
    getTable(expr: ExpressionRef): string
    setTable(expr: ExpressionRef, table: string): void
    getTarget(expr: ExpressionRef): ExpressionRef
    setTarget(expr: ExpressionRef, target: ExpressionRef): void
    getParams(expr: ExpressionRef): Type
    setParams(expr: ExpressionRef, params: Type): void
    getResults(expr: ExpressionRef): Type
    isReturn(expr: ExpressionRef): boolean
    appendOperand(expr: ExpressionRef, operand: ExpressionRef): number
  }
  LocalGet: LocalAccess
  LocalSet: LocalAccess
  RefFunc: { getFunc(expr: ExpressionRef): string; setFunc(expr: ExpressionRef, name: string): void }
  TableSet: {
    getTable(expr: ExpressionRef): string
    getIndex(expr: ExpressionRef): ExpressionRef
    setIndex(expr: ExpressionRef, index: ExpressionRef): void
    getValue(expr: ExpressionRef): ExpressionRef
    setValue(expr: ExpressionRef, value: ExpressionRef): void
  }
  TableGrow: { getTable(expr: ExpressionRef): string }
}

/** binaryen.js, typed in full for what we use. */
export const binaryen = binaryenJs as typeof binaryenJs & Untyped

/** An export of binaryen.js by a name made at run time (walk.ts's getters, names in messages); undefined when there is none. */
export function binaryenExport(name: string): unknown {
  return (binaryenJs as unknown as Record<string, unknown>)[name]
}

/** The names binaryen.js exports. */
export function binaryenExportNames(): string[] {
  return Object.keys(binaryenJs)
}

/** A table of any reference type (index.d.ts omits addTable's type parameter). */
export function addTypedTable(m: Module, name: string, initial: number, maximum: number, type: Type): void {
  ;(m as Module & { addTable(name: string, initial: number, maximum: number, type: Type): binaryenJs.TableRef }).addTable(name, initial, maximum, type)
}

function valTypeOf(type: number, where: string): ValType {
  switch (type) {
    case binaryen.i32:
      return 'i32'
    case binaryen.i64:
      return 'i64'
    case binaryen.f32:
      return 'f32'
    case binaryen.f64:
      return 'f64'
    case binaryen.v128:
      return 'v128'
    case binaryen.funcref:
      return 'funcref'
    case binaryen.externref:
      return 'externref'
  }
  throw new FpcastError(`${where}: value type ${typeName(type)} is not supported (only numbers, v128, funcref and externref are)`)
}

/** A reference type's name where binaryen.js can tell it (`anyref`, `structref`, ...), else its number (exnref has no name in binaryen.js 132). */
function typeName(type: number): string {
  for (const key of binaryenExportNames()) {
    const ref = /^_BinaryenType(\w+ref)$/.exec(key)?.[1]
    const get = binaryenExport(key)
    if (ref && typeof get === 'function' && get() === type) return ref.toLowerCase()
  }
  return `#${type} (a reference type such as exnref)`
}

export function binaryenType(t: ValType): number {
  return {
    i32: binaryen.i32,
    i64: binaryen.i64,
    f32: binaryen.f32,
    f64: binaryen.f64,
    v128: binaryen.v128,
    funcref: binaryen.funcref,
    externref: binaryen.externref,
  }[t]
}

export function sigOf(params: number, results: number, where: string): Sig {
  return {
    params: binaryenJs.expandType(params).map(t => valTypeOf(t, where)),
    results: binaryenJs.expandType(results).map(t => valTypeOf(t, where)),
  }
}

// binaryen interns types process-wide, so a type id can be reused across modules.
const tuples = new Map<string, number>()
export function tupleType(types: readonly ValType[]): number {
  const key = types.join(',')
  let type = tuples.get(key)
  if (type === undefined) tuples.set(key, (type = binaryenJs.createType(types.map(binaryenType))))
  return type
}

/** A zero constant of a type: what a missing argument or result becomes. */
export function zeroOf(m: Module, t: ValType): number {
  switch (t) {
    case 'i32':
      return m.i32.const(0)
    case 'i64':
      return m.i64.const(0n)
    case 'f32':
      return m.f32.const(0)
    case 'f64':
      return m.f64.const(0)
    case 'v128':
      return m.v128.const(new Array(16).fill(0))
    case 'funcref':
      return m.ref.null(binaryen.funcref)
    case 'externref':
      return m.ref.null(binaryen.externref)
  }
}

/** Converts a value of type `from` into type `to` (both numeric), the way JS would hand a number over. */
export function coerce(m: Module, value: number, from: ValType, to: ValType): number {
  if (from === to) return value
  const conv: Record<string, (v: number) => number> = {
    'i32>i64': v => m.i64.extend_s(v),
    'i64>i32': v => m.i32.wrap(v),
    'f32>f64': v => m.f64.promote(v),
    'f64>f32': v => m.f32.demote(v),
    'i32>f32': v => m.f32.convert_s.i32(v),
    'i32>f64': v => m.f64.convert_s.i32(v),
    'i64>f32': v => m.f32.convert_s.i64(v),
    'i64>f64': v => m.f64.convert_s.i64(v),
    'f32>i32': v => m.i32.trunc_s_sat.f32(v),
    'f64>i32': v => m.i32.trunc_s_sat.f64(v),
    'f32>i64': v => m.i64.trunc_s_sat.f32(v),
    'f64>i64': v => m.i64.trunc_s_sat.f64(v),
  }
  const f = conv[`${from}>${to}`]
  if (!f) throw new FpcastError(`cannot coerce ${from} to ${to}`)
  return f(value)
}

/** The element type of a table. */
export function tableType(m: Module, name: string): number {
  return binaryen._BinaryenTableGetType(m.getTable(name))
}
