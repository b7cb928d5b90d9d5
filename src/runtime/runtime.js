// @ts-check
/**
 * The runtime of a transformed module: supplies its `fpcast_trampoline`
 * import, keeps its shadow tables in step with the call table, and reports
 * incompatible calls. No dependencies, no eval, no `new Function`.
 *
 * `fpcastRuntime(WebAssembly)` returns an object that behaves like the
 * `WebAssembly` namespace (everything is inherited from it), except that
 * `instantiate`, `instantiateStreaming` and `Instance` recognise modules
 * carrying our custom section and wire them up. The glue rewrite points
 * Emscripten's own `WebAssembly.instantiate*( )` / `new WebAssembly.Instance()`
 * calls at it, which works the same for every Emscripten version, minified or
 * not, async or sync, web or Node. Other modules (side modules, Emscripten's
 * own little helper modules) pass through untouched.
 *
 * This function is injected into glue as text (`fpcastRuntime.toString()`),
 * so it must stay self-contained: no references to anything outside it.
 */
/**
 * @param {typeof WebAssembly} WA
 * @returns {typeof WebAssembly}
 */
export function fpcastRuntime(WA) {
  const SECTION = 'fpcast_trampoline'
  const IMPORT = 'fpcast_trampoline'
  const TYPE = { i: 0x7f, j: 0x7e, f: 0x7d, d: 0x7c, V: 0x7b, F: 0x70, E: 0x6f }
  const NAME = { i: 'i32', j: 'i64', f: 'f32', d: 'f64', V: 'v128', F: 'funcref', E: 'externref' }


  // --- a tiny wasm writer, for probe and hook modules ---
  const leb = (n) => { /** @type {number[]} */ const out = []; do { let byte = n & 0x7f; n >>>= 7; if (n) byte |= 0x80; out.push(byte) } while (n); return out }
  const str = (s) => { const bytes = Array.from(s, c => c.charCodeAt(0)); return [...leb(bytes.length), ...bytes] }
  const section = (id, body) => [id, ...leb(body.length), ...body]
  const vec = (items) => [...leb(items.length), ...items.flat()]
  /** A key is Emscripten letters: result first (`v` for none), then parameters. */
  const funcType = (key, extraI32 = false) => {
    const params = [...key.slice(1)].map(c => TYPE[c]).concat(extraI32 ? [0x7f] : [])
    const results = key[0] === 'v' ? [] : [TYPE[key[0]]]
    return [0x60, ...leb(params.length), ...params, ...leb(results.length), ...results]
  }
  /** A module importing one function per type from "m" and, if `reexport`, exporting them again (as wasm functions). */
  const importModule = (types, reexport) => {
    const bytes = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
      ...section(1, vec(types)),
      ...section(2, vec(types.map((_, i) => [...str('m'), ...str(String(i)), 0, ...leb(i)]))),
    ]
    if (reexport) bytes.push(...section(7, vec(types.map((_, i) => [...str(String(i)), 0, ...leb(i)]))))
    return new WA.Module(new Uint8Array(bytes))
  }

  // --- classifying a function: which of the module's signatures does it have? ---
  // A wasm function passed as an import of another type fails to link; that is
  // a type test that never calls the function, and works without wasm-gc.
  const probes = new Map()
  const typeOf = new WeakMap()
  function signatureOf(f, candidates) {
    if (typeOf.has(f)) return typeOf.get(f)
    let found = null
    for (const key of candidates) {
      let probe = probes.get(key)
      if (!probe) probes.set(key, probe = importModule([funcType(key)], false))
      try {
        new WA.Instance(probe, { m: { 0: f } })
        found = key
        break
      } catch (e) {
        if (!(e instanceof WA.LinkError)) throw e
      }
    }
    typeOf.set(f, found)
    return found
  }

  function sigText(key) {
    const params = [...key.slice(1)].map(c => NAME[c]).join(', ')
    return `(${params}) -> ${key[0] === 'v' ? 'void' : NAME[key[0]]}`
  }

  /** The first frame below our own functions: the call site, as the engine names it. */
  function callSite(meta) {
    const lines = (new Error().stack ?? '').split('\n')
    for (const line of lines) {
      const m = /wasm-function\[(\d+)\]:(0x[0-9a-f]+)/.exec(line)
      if (m && Number(m[1]) < meta.firstOwnFunction) return line.trim().replace(/^at\s+/, '')
    }
    return 'an unknown site'
  }

  function readMeta(module) {
    const sections = WA.Module.customSections(module, SECTION)
    if (!sections.length) return null
    const meta = JSON.parse(new TextDecoder().decode(sections[0]))
    if (meta.version !== 1) throw new Error(`[fpcast-trampoline] this module was transformed by a newer version (format ${meta.version}); update the runtime`)
    return meta
  }

  function findTable(access, imports, instance) {
    if (access?.import) return imports?.[access.import.module]?.[access.import.base]
    if (access?.export && instance) return instance.exports[access.export]
    return undefined
  }

  /** Builds our import object and, once the instance exists, hooks its table. */
  function prepare(meta, imports) {
    const state = { table: undefined, exports: undefined }
    const hooks = new WA.Table({ element: 'anyfunc', initial: 0 })
    let fns
    let types
    if (meta.strategy === 'shadow') {
      const sigs = meta.sigs, siteSigs = meta.siteSigs
      const classify = (f) => {
        if (!f) return -1
        const key = signatureOf(f, sigs)
        return key === null ? -2 : sigs.indexOf(key)
      }
      const mismatch = (t, k, slot) => {
        throw new WA.RuntimeError(`[fpcast-trampoline] incompatible indirect call at ${callSite(meta)}: the call site expects ${sigText(siteSigs[t])} but table slot ${slot} holds ${sigText(sigs[k])}; value types differ at some position, so the call cannot be adapted (see the 'incompatible' option)`)
      }
      fns = [classify, mismatch]
      types = [[0x60, 1, 0x70, 1, 0x7f], [0x60, 3, 0x7f, 0x7f, 0x7f, 0]]
    } else {
      fns = meta.jsSigs.map(key => (...args) => {
        const idx = args.pop()
        const table = state.table ?? findTable(meta.jsTables[key], imports, null)
        return table.get(idx)(...args)
      })
      types = meta.jsSigs.map(key => funcType(key, true))
    }
    const wrapper = new WA.Instance(importModule(types, true), { m: Object.fromEntries(fns.map((f, i) => [String(i), f])) })
    hooks.grow(fns.length)
    fns.forEach((_, i) => hooks.set(i, wrapper.exports[String(i)]))
    const withOurs = { ...imports, [IMPORT]: { hooks } }

    function attach(instance) {
      state.exports = instance.exports
      const access = meta.strategy === 'shadow' ? meta.table : Object.values(meta.jsTables ?? {})[0]
      const table = findTable(access, imports, instance)
      state.table = table
      if (!table || meta.strategy !== 'shadow') return
      const sync = instance.exports[meta.sync]
      const invalidate = instance.exports[meta.invalidate]
      // Own properties shadow the prototype methods for this table only.
      const set = table.set, grow = table.grow
      Object.defineProperty(table, 'set', {
        configurable: true, writable: true,
        value(index, value) {
          const r = set.apply(this, arguments)
          invalidate(index, 1)
          return r
        },
      })
      Object.defineProperty(table, 'grow', {
        configurable: true, writable: true,
        value(delta, value) {
          const r = grow.apply(this, arguments)
          sync()
          return r
        },
      })
    }
    return { imports: withOurs, attach }
  }

  function instantiateModule(module, imports) {
    const meta = readMeta(module)
    if (!meta) return WA.instantiate(module, imports)
    const { imports: ours, attach } = prepare(meta, imports)
    return WA.instantiate(module, ours).then(instance => { attach(instance); return instance })
  }

  const ns = Object.create(WA)
  ns.instantiate = function instantiate(source, imports) {
    if (source instanceof WA.Module) return instantiateModule(source, imports)
    return WA.compile(source).then(module => instantiateModule(module, imports).then(instance => ({ module, instance })))
  }
  ns.instantiateStreaming = function instantiateStreaming(source, imports) {
    return WA.compileStreaming(source).then(module => instantiateModule(module, imports).then(instance => ({ module, instance })))
  }
  function Instance(module, imports) {
    const meta = readMeta(module)
    if (!meta) return new WA.Instance(module, imports)
    const { imports: ours, attach } = prepare(meta, imports)
    const instance = new WA.Instance(module, ours)
    attach(instance)
    return instance
  }
  Instance.prototype = WA.Instance.prototype
  ns.Instance = Instance
  return ns
}
