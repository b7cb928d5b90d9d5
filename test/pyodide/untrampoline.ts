// Recreates an "untrampolined" CPython from Pyodide's pyodide.asm.wasm.
//
// CPython on Emscripten routes every call through a possibly mis-typed
// PyCFunction pointer through one function, `_PyEM_TrampolineCall`
// (Python/emscripten_trampoline.c). In Pyodide 314 (CPython 3.14) it looks like
// this (binaryen's view; no name section, so names are indices):
//
//   (func $4941 (param $0 i32) (param $1 i32) (param $2 i32) (param $3 i32) (result i32)
//     ;; func, self, args, kw
//     ... stack pointer -= 16
//     (if (i32.eqz (local.tee $5 (i32.load (i32.const <&_PyRuntime.emscripten_trampoline>))))
//       (then ;; no wasm-gc trampoline installed: JS fallback
//         (local.set $3 (call $_PyEM_TrampolineCall_JS (local.get $0) ... (local.get $3)))
//         (br $done)))
//     ;; wasm-gc trampoline (ref.test on the target's type), an (i32 x6)->i32 table entry
//     (i32.store offset=12 (sp) (i32.const 1))               ;; int success = 1
//     (local.set $3 (call_indirect (type (i32 i32 i32 i32 i32 i32) (result i32))
//                     (&success) $0 $1 $2 $3 (local.get $5)))
//     (br_if $done (success))
//     (call PyErr_SetString(PyExc_SystemError, "Handler takes too many arguments"))
//     ... stack pointer += 16
//     (local.get $3))
//
// `untrampoline` replaces that body with what a native build would do, a plain
// indirect call of the function pointer with the remaining arguments:
//
//   (call_indirect $table (type (i32 i32 i32) (result i32)) (local.get $1) (local.get $2) (local.get $3) (local.get $0))
//
// Any mis-typed pointer reaching it then traps with "null function or function
// signature mismatch" - which CPython does during start-up.
import binaryen from 'binaryen'
import { definedFunctions, walk } from './walk'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const B = binaryen as any
const F = binaryen.Features

/** Base name of the JS trampoline import (the import module is `env` in Pyodide; minified glue may rename it). */
export const TRAMPOLINE_IMPORT = '_PyEM_TrampolineCall_JS'

/**
 * Features pyodide.asm.wasm needs. It has no target_features section, so the
 * set was found by validating with every feature and dropping each one that
 * validation does not need (MutableGlobals, NontrappingFPToInt, SignExt,
 * ExceptionHandling (legacy try/catch/rethrow/delegate), ReferenceTypes (two
 * externref tables, table.get/set/grow), BulkMemoryOpt (memory.copy/fill));
 * BulkMemory is added as the umbrella of BulkMemoryOpt (memory.init/data.drop
 * are not used). Never Features.All: binaryen 132 then writes encodings (e.g.
 * compact imports) that engines reject.
 */
export const PYODIDE_FEATURES: binaryen.Features =
  F.MutableGlobals | F.NontrappingFPToInt | F.SignExt | F.BulkMemory | F.BulkMemoryOpt | F.ExceptionHandling | F.ReferenceTypes

export interface UntrampolineReport {
  /** `module.name` of the trampoline import. */
  importModule: string
  importName: string
  /** binaryen's internal name of the import and of the rewritten function. */
  importInternalName: string
  functionName: string
  functionIndex: number
  /** Signature of the rewritten function, e.g. "(i32,i32,i32,i32)->i32". */
  functionSignature: string
  /** Signature of the call_indirect now in its body, e.g. "(i32,i32,i32)->i32". */
  callSignature: string
  table: string
  /** call_indirect sites over all defined functions, before and after the rewrite. */
  callIndirectBefore: number
  callIndirectAfter: number
  features: number
  timings: { readMs: number; rewriteMs: number; validateMs: number; writeMs: number }
}

const typeName = (t: binaryen.Type): string => {
  const names: Record<number, string> = {
    [binaryen.none]: 'none',
    [binaryen.i32]: 'i32',
    [binaryen.i64]: 'i64',
    [binaryen.f32]: 'f32',
    [binaryen.f64]: 'f64',
    [binaryen.v128]: 'v128',
  }
  return binaryen
    .expandType(t)
    .map(x => names[x] ?? `type#${x}`)
    .join(',')
}
const sig = (params: binaryen.Type, results: binaryen.Type) => `(${typeName(params)})->${typeName(results) || 'none'}`

function fail(msg: string): never {
  throw new Error(`untrampoline: ${msg}`)
}

/** Reads a wasm binary with PYODIDE_FEATURES (the caller must dispose the module). */
export function readPyodideModule(wasm: Uint8Array, features = PYODIDE_FEATURES): binaryen.Module {
  // index.d.ts declares readBinaryWithFeatures, but binaryen.js 132 only has
  // readBinary(data, features?) (calling BinaryenModuleReadWithFeatures).
  const mod: binaryen.Module = B.readBinary(wasm, features)
  // The reader leaves the module's feature set at MVP (getFeatures() === 0
  // after a plain readBinary): set it, or validation fails and the writer
  // may pick other encodings.
  mod.setFeatures(features)
  return mod
}

/** Number of call_indirect expressions in all defined function bodies. */
export function countCallIndirect(mod: binaryen.Module): number {
  let n = 0
  for (const f of definedFunctions(mod)) {
    walk(f.info.body, e => {
      if (binaryen.getExpressionId(e) === binaryen.CallIndirectId) n++
    })
  }
  return n
}

/** Counts call_indirect sites of a wasm binary. */
export function countCallIndirectInWasm(wasm: Uint8Array): number {
  const mod = readPyodideModule(wasm)
  try {
    return countCallIndirect(mod)
  } finally {
    mod.dispose()
  }
}

export function untrampolineWithReport(wasm: Uint8Array): { wasm: Uint8Array; report: UntrampolineReport } {
  let t = performance.now()
  const mod = readPyodideModule(wasm)
  const readMs = performance.now() - t
  try {
    t = performance.now()
    // 1. The import, found by its base name whatever its module is called.
    const imports = []
    for (let i = 0; i < mod.getNumFunctions(); i++) {
      const info = binaryen.getFunctionInfo(mod.getFunctionByIndex(i))
      if (info.module && info.base === TRAMPOLINE_IMPORT) imports.push(info)
    }
    if (imports.length !== 1) fail(`expected exactly one function import named ${TRAMPOLINE_IMPORT}, found ${imports.length}`)
    const imp = imports[0]
    const impParams = binaryen.expandType(imp.params)
    if (impParams.length < 1 || impParams[0] !== binaryen.i32) {
      fail(`${TRAMPOLINE_IMPORT} has signature ${sig(imp.params, imp.results)}; expected a leading i32 function pointer`)
    }

    // 2. The single defined function calling it, plus the whole-module call_indirect count.
    const callers: Array<ReturnType<typeof definedFunctions>[number] & { calls: number[] }> = []
    let callIndirectBefore = 0
    for (const f of definedFunctions(mod)) {
      const calls: number[] = []
      walk(f.info.body, e => {
        const id = binaryen.getExpressionId(e)
        if (id === binaryen.CallIndirectId) callIndirectBefore++
        else if (id === binaryen.CallId && B.Call.getTarget(e) === imp.name) calls.push(e)
      })
      if (calls.length) callers.push({ ...f, calls })
    }
    if (callers.length !== 1) {
      fail(`expected exactly one function calling ${TRAMPOLINE_IMPORT}, found ${callers.length} (${callers.map(c => c.info.name).join(', ')})`)
    }
    const fn = callers[0]
    if (fn.calls.length !== 1) fail(`function ${fn.info.name} calls ${TRAMPOLINE_IMPORT} ${fn.calls.length} times, expected once`)

    // 3. Its shape: same signature as the import, forwarding its parameters unchanged.
    if (fn.info.params !== imp.params || fn.info.results !== imp.results) {
      fail(`function ${fn.info.name} has signature ${sig(fn.info.params, fn.info.results)}, the import ${sig(imp.params, imp.results)}`)
    }
    const call = fn.calls[0]
    const nOps: number = B.Call.getNumOperands(call)
    if (nOps !== impParams.length) fail(`call of ${TRAMPOLINE_IMPORT} has ${nOps} operands, expected ${impParams.length}`)
    for (let i = 0; i < nOps; i++) {
      const op = B.Call.getOperandAt(call, i)
      if (binaryen.getExpressionId(op) !== binaryen.LocalGetId || B.LocalGet.getIndex(op) !== i) {
        fail(`operand ${i} of the call of ${TRAMPOLINE_IMPORT} in ${fn.info.name} is not (local.get ${i})`)
      }
    }
    // The wasm-gc path: one call_indirect through the function table.
    const indirect: number[] = []
    walk(fn.info.body, e => {
      if (binaryen.getExpressionId(e) === binaryen.CallIndirectId) indirect.push(e)
    })
    if (indirect.length !== 1) fail(`function ${fn.info.name} has ${indirect.length} call_indirect, expected 1 (the wasm-gc trampoline path)`)
    const table: string = B.CallIndirect.getTable(indirect[0])
    const tableInfo = binaryen.getTableInfo(mod.getTable(table))
    for (let i = 0; i < mod.getNumExports(); i++) {
      const ex = binaryen.getExportInfo(mod.getExportByIndex(i))
      if (ex.kind === binaryen.ExternalTable && ex.name === '__indirect_function_table' && ex.value !== table) {
        fail(`the trampoline's call_indirect uses table ${table}, __indirect_function_table is ${ex.value}`)
      }
    }

    // 4. The new body: call the function pointer ($0) with the other parameters.
    const callParams = binaryen.createType(impParams.slice(1))
    const args = impParams.slice(1).map((t, i) => mod.local.get(i + 1, t))
    const body = mod.call_indirect(table, mod.local.get(0, binaryen.i32), args, callParams, imp.results)
    B.Function.setBody(fn.ref, body)
    const rewriteMs = performance.now() - t

    t = performance.now()
    if (!mod.validate()) fail('binaryen validation failed after the rewrite (see the validator output above)')
    const validateMs = performance.now() - t
    const callIndirectAfter = countCallIndirect(mod)

    t = performance.now()
    const out = mod.emitBinary()
    const writeMs = performance.now() - t

    return {
      wasm: out,
      report: {
        importModule: imp.module ?? '',
        importName: imp.base ?? '',
        importInternalName: imp.name,
        functionName: fn.info.name,
        functionIndex: fn.index,
        functionSignature: sig(fn.info.params, fn.info.results),
        callSignature: sig(callParams, imp.results),
        table: `${table} (${tableInfo.initial} slots)`,
        callIndirectBefore,
        callIndirectAfter,
        features: mod.getFeatures(),
        timings: { readMs, rewriteMs, validateMs, writeMs },
      },
    }
  } finally {
    mod.dispose()
  }
}

/**
 * Replaces the body of CPython's `_PyEM_TrampolineCall` (the only caller of the
 * `_PyEM_TrampolineCall_JS` import) by a plain `call_indirect`, recreating a
 * CPython without fpcast trampolines. Throws if the module does not have that shape.
 */
export function untrampoline(wasm: Uint8Array): Uint8Array {
  return untrampolineWithReport(wasm).wasm
}

/**
 * Reads and writes the module with no change: the control that shows a
 * binaryen round trip alone keeps Pyodide working, so a failure of the
 * untrampolined module comes from the rewrite, not from binaryen.
 */
export function roundTrip(wasm: Uint8Array): Uint8Array {
  const mod = readPyodideModule(wasm)
  try {
    if (!mod.validate()) fail('binaryen validation failed on the unmodified module')
    return mod.emitBinary()
  } finally {
    mod.dispose()
  }
}
