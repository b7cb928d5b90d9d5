/** Conversions between binaryen's numeric types and our `ValType` names. */
import binaryen from 'binaryen'
import { FpcastError } from '../errors.ts'
import type { Sig, ValType } from './signature.ts'

const b = binaryen as any

export function valTypeOf(type: number, where: string): ValType {
  switch (type) {
    case b.i32:
      return 'i32'
    case b.i64:
      return 'i64'
    case b.f32:
      return 'f32'
    case b.f64:
      return 'f64'
    case b.v128:
      return 'v128'
    case b.funcref:
      return 'funcref'
    case b.externref:
      return 'externref'
  }
  throw new FpcastError(`${where}: value type ${typeName(type)} is not supported (only numbers, v128, funcref and externref are)`)
}

/** A reference type's name where binaryen.js can tell it (`anyref`, `structref`, ...), else its number (exnref has no name in binaryen.js 132). */
function typeName(type: number): string {
  for (const key of Object.keys(b)) {
    const m = /^_BinaryenType(\w+ref)$/.exec(key)
    if (m && b[key]() === type) return m[1].toLowerCase()
  }
  return `#${type} (a reference type such as exnref)`
}

export function binaryenType(t: ValType): number {
  return { i32: b.i32, i64: b.i64, f32: b.f32, f64: b.f64, v128: b.v128, funcref: b.funcref, externref: b.externref }[t]
}

export function sigOf(params: number, results: number, where: string): Sig {
  return {
    params: binaryen.expandType(params).map(t => valTypeOf(t, where)),
    results: binaryen.expandType(results).map(t => valTypeOf(t, where)),
  }
}

// binaryen interns types process-wide, so a type id can be reused across modules.
const tuples = new Map<string, number>()
export function tupleType(types: readonly ValType[]): number {
  const key = types.join(',')
  let type = tuples.get(key)
  if (type === undefined) tuples.set(key, (type = binaryen.createType(types.map(binaryenType))))
  return type
}

/** A zero constant of a type: what a missing argument or result becomes. */
export function zeroOf(m: binaryen.Module, t: ValType): number {
  switch (t) {
    case 'i32':
      return m.i32.const(0)
    case 'i64':
      return (m.i64 as any).const(0n)
    case 'f32':
      return m.f32.const(0)
    case 'f64':
      return m.f64.const(0)
    case 'v128':
      return m.v128.const(new Array(16).fill(0))
    case 'funcref':
      return m.ref.null(b.funcref)
    case 'externref':
      return m.ref.null(b.externref)
  }
}

/** Converts a value of type `from` into type `to` (both numeric), the way JS would hand a number over. */
export function coerce(m: binaryen.Module, value: number, from: ValType, to: ValType): number {
  if (from === to) return value
  const x = m as any
  const conv: Record<string, (v: number) => number> = {
    'i32>i64': v => x.i64.extend_s(v),
    'i64>i32': v => x.i32.wrap(v),
    'f32>f64': v => x.f64.promote(v),
    'f64>f32': v => x.f32.demote(v),
    'i32>f32': v => x.f32.convert_s.i32(v),
    'i32>f64': v => x.f64.convert_s.i32(v),
    'i64>f32': v => x.f32.convert_s.i64(v),
    'i64>f64': v => x.f64.convert_s.i64(v),
    'f32>i32': v => x.i32.trunc_s_sat.f32(v),
    'f64>i32': v => x.i32.trunc_s_sat.f64(v),
    'f32>i64': v => x.i64.trunc_s_sat.f32(v),
    'f64>i64': v => x.i64.trunc_s_sat.f64(v),
  }
  const f = conv[`${from}>${to}`]
  if (!f) throw new FpcastError(`cannot coerce ${from} to ${to}`)
  return f(value)
}

/** The element type of a table. */
export function tableType(m: binaryen.Module, name: string): number {
  return b._BinaryenTableGetType(m.getTable(name))
}
