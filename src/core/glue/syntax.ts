/**
 * What a JS file says about WebAssembly, read from its syntax (acorn), not
 * from text that merely looks right: a comment or a string that mentions
 * `Module.instantiateWasm` is not a read of it, `Module['locateFile'] ||= f`
 * is a write, and `` `https://cdn/${v}/app.wasm` `` is not the name of a
 * file beside the glue.
 *
 *   readGlueSyntax('if (Module["instantiateWasm"]) ...; WebAssembly.instantiate(b, i)')
 *     -> { hooks: [range of `WebAssembly`], instantiateWasmReads: [range], ... }
 *
 * The facts feed two decisions elsewhere: recognize.ts (is this
 * Emscripten glue, which wasm does it load) and the rewrites (instantiate.ts,
 * locate.ts), which change exactly the ranges found here.
 *
 * Limits: `WebAssembly` is taken to be the global one unless the file
 * declares that name itself (wasm2js glue does: it is then no-wasm glue);
 * other shadowing (a parameter of an inner function) is not tracked.
 */
import { type AnyNode, type MemberExpression, type Property, parse } from 'acorn'
import type { GlueSyntax, NumberLiteral, Range } from './facts.ts'
import { decodeEmbedded, type EmbeddedWasm, lengthConstantMap } from './single-file.ts'

export type { GlueSyntax, Range, WasmLiteral } from './facts.ts'

/** What the walk keeps besides the facts: to find the embedded literal's decoder and the numbers in it. */
interface WalkState {
  writes: Set<AnyNode>
  /** The function the embedded literal is passed to, or the name it is called by. */
  decoder?: Range | string
  functions: Map<string, Range>
  numbers: NumberLiteral[]
}

/** Strings Emscripten's preamble writes whatever the settings (minifiers keep strings). */
const EMSCRIPTEN_STRINGS = [
  'Aborted(',
  'failed to asynchronously prepare wasm',
  'wasm streaming compile failed',
  'both async and sync fetching of the wasm failed',
  'falling back to ArrayBuffer instantiation',
  '__indirect_function_table',
  '__wasm_call_ctors',
]
/** Names unminified Emscripten glue declares. */
const EMSCRIPTEN_NAMES = new Set([
  'wasmBinaryFile',
  'asmLibraryArg',
  'wasmImports',
  'getWasmImports',
  'instantiateAsync',
  'createWasm',
  'receiveInstantiationResult',
  'ENVIRONMENT_IS_NODE',
  'scriptDirectory',
  'findWasmBinary',
  'getBinaryPromise',
  'instantiateArrayBuffer',
])
/** A string this long that is no wasm may be a compressed one. */
export const OPAQUE_MIN = 16384

const HOOKED = new Set(['instantiate', 'instantiateStreaming', 'Instance', 'compile', 'compileStreaming', 'Module'])
const INSTANTIATING = new Set(['instantiate', 'instantiateStreaming', 'Instance'])
/** The name the rewritten glue calls the runtime by (instantiate.ts writes it; a glue with it is hooked already). */
export const GLUE_BINDING = '__fpcast_WebAssembly'
const SCHEME_RE = /^[a-z][a-z\d+.-]*:/i
const WASM_NAME_RE = /^[^\s"'`?#]+\.wasm$/

/** Parses as a module, then as a script; undefined when neither works. */
function parseProgram(code: string): { ast: AnyNode; module: boolean } | undefined {
  const common = {
    ecmaVersion: 'latest',
    allowHashBang: true,
    allowReturnOutsideFunction: true,
    allowAwaitOutsideFunction: true,
    allowImportExportEverywhere: true,
  } as const
  try {
    return { ast: parse(code, { ...common, sourceType: 'module' }) as AnyNode, module: true }
  } catch {
    try {
      return { ast: parse(code, { ...common, sourceType: 'script' }) as AnyNode, module: false }
    } catch {
      return undefined
    }
  }
}

/** The name of a member expression's property, when it is a plain name or a string. */
function propertyName(node: MemberExpression): string | undefined {
  if (!node.computed && node.property.type === 'Identifier') return node.property.name
  if (node.computed && node.property.type === 'Literal' && typeof node.property.value === 'string') return node.property.value
  return undefined
}

/** The name of a property key: an identifier's name or a literal's value. */
const keyName = (key: Property['key']) => (key.type === 'Identifier' ? key.name : key.type === 'Literal' ? key.value : undefined)

/** Adds the member expressions a pattern (assignment target) writes. */
function addTargets(node: AnyNode | null, writes: Set<AnyNode>) {
  if (!node) return
  if (node.type === 'MemberExpression') writes.add(node)
  else if (node.type === 'ObjectPattern') for (const p of node.properties) addTargets(p.type === 'RestElement' ? p.argument : p.value, writes)
  else if (node.type === 'ArrayPattern') for (const e of node.elements) addTargets(e?.type === 'RestElement' ? e.argument : e, writes)
  else if (node.type === 'AssignmentPattern') addTargets(node.left, writes)
}

function empty(parsed: boolean): GlueSyntax {
  return {
    parsed,
    esm: false,
    hooks: [],
    instantiations: 0,
    declaresWebAssembly: false,
    instantiateWasmReads: [],
    wasmBinaryReads: 0,
    definesInstantiateWasm: false,
    locateFileReads: [],
    wasmLiterals: [],
    templatedWasm: 0,
    marks: new Set(),
  }
}

/** Whether a property of a node is a node itself (a child to walk). */
const isNode = (value: unknown): value is AnyNode => typeof (value as AnyNode | null)?.type === 'string'

/** Reads the facts of a JS file. Never throws: a file acorn cannot parse gives `parsed: false`. */
export function readGlueSyntax(code: string): GlueSyntax {
  const program = parseProgram(code)
  if (!program) return empty(false)
  const out = empty(true)
  const state: WalkState = { writes: new Set(), functions: new Map(), numbers: [] }
  // Iterative, children in source order: deep nesting must not overflow the JS stack.
  const stack: [AnyNode, AnyNode | undefined][] = [[program.ast, undefined]]
  while (stack.length) {
    const [node, parent] = stack.pop()!
    visit(node, parent, out, state, code)
    const children: AnyNode[] = []
    const fields = node as unknown as Record<string, unknown>
    for (const key in fields) {
      if (key === 'type' || key === 'start' || key === 'end') continue
      const value = fields[key]
      if (Array.isArray(value)) {
        for (const v of value) if (isNode(v)) children.push(v)
      } else if (isNode(value)) children.push(value)
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push([children[i], node])
  }
  out.esm &&= program.module
  if (out.embedded) {
    const folded = foldedLengths(out.embedded, state)
    if (folded) out.embedded.lengthConstants = folded
  }
  return out
}

/**
 * The numbers of the embedded literal's decoder that closure folded from the
 * literal's length (see EmbeddedWasm.lengthConstants); undefined when the
 * decoder reads the length at run time (it has no number equal to it).
 */
function foldedLengths(embedded: EmbeddedWasm, state: WalkState): NumberLiteral[] | undefined {
  if (embedded.embedding === 'data-uri') return undefined
  const decoder = typeof state.decoder === 'string' ? state.functions.get(state.decoder) : state.decoder
  if (!decoder) return undefined
  const length = embeddedLength(embedded)
  const candidates = lengthConstantMap(embedded.embedding, length, length)
  const found = state.numbers.filter(n => n.start >= decoder.start && n.end <= decoder.end && candidates.has(n.value))
  return found.some(n => n.value === length) ? found : undefined
}

/** The length of the embedded literal's value, as its decoder sees it. */
export function embeddedLength(embedded: Pick<EmbeddedWasm, 'embedding' | 'bytes'>): number {
  return embedded.embedding === 'base64' ? Math.ceil(embedded.bytes.length / 3) * 4 : embedded.bytes.length
}

/** The wasm embedded in a file's string literals (single-file builds), if any. */
export function findEmbeddedWasm(code: string): EmbeddedWasm | undefined {
  return readGlueSyntax(code).embedded
}

// One case per kind of node that carries a fact: a switch read top to bottom, longer than most functions on purpose.
function visit(node: AnyNode, parent: AnyNode | undefined, out: GlueSyntax, state: WalkState, code: string) {
  const writes = state.writes
  switch (node.type) {
    case 'ImportDeclaration':
    case 'ExportNamedDeclaration':
    case 'ExportDefaultDeclaration':
    case 'ExportAllDeclaration':
      out.esm = true
      break
    case 'MetaProperty':
      if (node.meta.name === 'import') out.esm = true
      break
    case 'AssignmentExpression':
      addTargets(node.left, writes)
      if (node.left.type === 'MemberExpression' && propertyName(node.left) === 'instantiateWasm') out.definesInstantiateWasm = true
      break
    case 'UpdateExpression':
      addTargets(node.argument, writes)
      break
    case 'UnaryExpression':
      if (node.operator === 'delete') addTargets(node.argument, writes)
      break
    case 'ForInStatement':
    case 'ForOfStatement':
      addTargets(node.left, writes)
      break
    case 'VariableDeclarator':
      if (node.id.type === 'Identifier' && node.init && /Function/.test(node.init.type))
        state.functions.set(node.id.name, { start: node.init.start, end: node.init.end })
      if (node.id.type === 'Identifier') {
        if (node.id.name === 'WebAssembly') out.declaresWebAssembly = true
        if (EMSCRIPTEN_NAMES.has(node.id.name)) out.marks.add(node.id.name)
      }
      break
    case 'FunctionDeclaration':
    case 'FunctionExpression':
    case 'ArrowFunctionExpression':
      if (node.type === 'FunctionDeclaration' && node.id) state.functions.set(node.id.name, { start: node.start, end: node.end })
      if (node.id?.name === 'WebAssembly' || node.params.some((p: AnyNode) => p.type === 'Identifier' && p.name === 'WebAssembly'))
        out.declaresWebAssembly = true
      if (node.id && EMSCRIPTEN_NAMES.has(node.id.name)) out.marks.add(node.id.name)
      break
    case 'Property':
      if (parent?.type === 'ObjectExpression' && !node.computed && keyName(node.key) === 'instantiateWasm') out.definesInstantiateWasm = true
      break
    case 'MemberExpression': {
      const name = propertyName(node)
      if (!name) break
      if (node.object.type === 'Identifier' && node.object.name === 'WebAssembly' && HOOKED.has(name)) {
        out.hooks.push({ start: node.object.start, end: node.object.end })
        if (INSTANTIATING.has(name)) out.instantiations++
      } else if (node.object.type === 'Identifier' && node.object.name === GLUE_BINDING && INSTANTIATING.has(name)) {
        out.instantiations++ // hooked already (glue the CLI wrote): counted, not hooked again
      } else if (!writes.has(node)) {
        if (name === 'instantiateWasm') out.instantiateWasmReads.push({ start: node.start, end: node.end })
        else if (name === 'wasmBinary') out.wasmBinaryReads++
        else if (name === 'locateFile')
          out.locateFileReads.push({ start: node.start, end: node.end, object: { start: node.object.start, end: node.object.end } })
      }
      break
    }
    case 'Literal':
      if (typeof node.value === 'string') {
        const had = out.embedded
        string(node.value, node, parent, out, code)
        if (!had && out.embedded && parent?.type === 'CallExpression' && parent.arguments[0] === node) {
          const callee = parent.callee
          state.decoder = callee.type === 'Identifier' ? callee.name : /Function/.test(callee.type) ? { start: callee.start, end: callee.end } : undefined
        }
      } else if (typeof node.value === 'number' && node.value >= 64) {
        state.numbers.push({ start: node.start, end: node.end, value: node.value })
      }
      break
    case 'TemplateLiteral':
      if (node.expressions.length === 0) {
        const value = node.quasis[0].value.cooked
        if (typeof value === 'string') string(value, node, parent, out, code)
        else opaque(node.quasis[0].value.raw.length, node, out) // String.raw`...` data with escapes JS cannot cook
      } else {
        const text = code.slice(node.start, node.end)
        if (/\.wasm\b/.test(text)) out.templatedWasm++
        for (const q of node.quasis) opaque(q.value.raw.length, q, out)
      }
      break
  }
}

function string(value: string, node: AnyNode, parent: AnyNode | undefined, out: GlueSyntax, code: string) {
  if (!out.embedded && value.length >= 8) {
    const embedded = decodeEmbedded(value, node.start, node.end, code)
    if (embedded) {
      out.embedded = embedded
      return
    }
  }
  if (value.length < 300) {
    if (WASM_NAME_RE.test(value) && !SCHEME_RE.test(value)) {
      // MINIMAL_RUNTIME under Node: `__dirname + "/app.wasm"` names a file beside the glue.
      if (value.startsWith('/') && parent?.type === 'BinaryExpression' && parent.operator === '+' && parent.right === node) value = value.slice(1)
      const newUrl = parent?.type === 'NewExpression' && parent.callee.type === 'Identifier' && parent.callee.name === 'URL' && parent.arguments[0] === node
      out.wasmLiterals.push({
        value,
        start: node.start,
        end: node.end,
        newUrl,
        inArray: parent?.type === 'ArrayExpression',
        ...(newUrl ? { newUrlExpression: { start: parent!.start, end: parent!.end } } : {}),
      })
    }
    for (const mark of EMSCRIPTEN_STRINGS) if (value.includes(mark)) out.marks.add(mark)
    return
  }
  opaque(value.length, node, out)
}

function opaque(length: number, node: AnyNode, out: GlueSyntax) {
  if (length >= OPAQUE_MIN && length > (out.opaque?.length ?? 0)) out.opaque = { start: node.start, end: node.end, length }
}

/**
 * Where to insert code at the top of a file: after a hashbang line, leading
 * comments and a "use strict" directive, so that they keep their place.
 */
export function prologueEnd(code: string): number {
  return PROLOGUE_RE.exec(code)?.[0].length ?? 0
}
const PROLOGUE_RE = /^(?:#![^\n]*\n)?(?:\s*(?:\/\/[^\n]*\n|\/\*[\s\S]*?\*\/))*(?:\s*(['"])use strict\1;?)?/
