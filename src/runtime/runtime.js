// @ts-check
/**
 * The runtime of a transformed module: fills its hooks table, keeps its
 * shadow tables in step with the call table (and with modules sharing it),
 * and reports incompatible calls. No dependencies, no eval, no `new Function`.
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
  const HOOKS = 'fpcast$hooks'
  const TYPE = { i: 0x7f, j: 0x7e, f: 0x7d, d: 0x7c, V: 0x7b, F: 0x70, E: 0x6f }
  const NAME = { i: 'i32', j: 'i64', f: 'f32', d: 'f64', V: 'v128', F: 'funcref', E: 'externref' }

  // --- a tiny wasm writer, for probe and hook modules ---
  const leb = n => {
    /** @type {number[]} */ const out = []
    do {
      let byte = n & 0x7f
      n >>>= 7
      if (n) byte |= 0x80
      out.push(byte)
    } while (n)
    return out
  }
  const str = s => {
    const bytes = Array.from(s, c => c.charCodeAt(0))
    return [...leb(bytes.length), ...bytes]
  }
  const section = (id, body) => [id, ...leb(body.length), ...body]
  const vec = items => [...leb(items.length), ...items.flat()]
  /**
   * Signatures are WireSigs, as the transform writes them into the metadata
   * (`src/core/wasm/signature.ts`): parameter letters, a colon, result letters
   * (`ii:i` is (i32, i32) -> i32, `i:ij` is (i32) -> (i32, i64), `:` is () -> void).
   * @typedef {string} WireSig
   * @param {WireSig} sig
   * @returns {{ params: string, results: string }}
   */
  const parseSig = sig => {
    const at = sig.indexOf(':')
    return { params: sig.slice(0, at), results: sig.slice(at + 1) }
  }
  /** The type section entry of a WireSig, with one more i32 parameter if `extraI32`. */
  const funcType = (sig, extraI32 = false) => {
    const { params: p, results: r } = parseSig(sig)
    const params = [...p].map(c => TYPE[c]).concat(extraI32 ? [0x7f] : [])
    const results = [...r].map(c => TYPE[c])
    return [0x60, ...leb(params.length), ...params, ...leb(results.length), ...results]
  }
  /** A module importing one function per type from "m" and, if `reexport`, exporting them again (as wasm functions). */
  const importModule = (types, reexport) => {
    const bytes = [
      0,
      0x61,
      0x73,
      0x6d,
      1,
      0,
      0,
      0,
      ...section(1, vec(types)),
      ...section(2, vec(types.map((_, i) => [...str('m'), ...str(String(i)), 0, ...leb(i)]))),
    ]
    if (reexport) bytes.push(...section(7, vec(types.map((_, i) => [...str(String(i)), 0, ...leb(i)]))))
    return new WA.Module(new Uint8Array(bytes))
  }

  const LETTER = Object.fromEntries(Object.entries(TYPE).map(([k, v]) => [v, k]))
  /** Signatures seen in any module instantiated through us (side modules, addFunction's helper modules). */
  const learned = new Set()
  /** Reads the type section of a module's bytes; anything it does not understand ends the reading quietly. */
  function learnTypes(bytes) {
    try {
      const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes.buffer ? bytes.buffer : bytes, bytes.byteOffset || 0, bytes.byteLength)
      let p = 8
      const read = () => {
        let r = 0,
          shift = 0,
          byte
        do {
          byte = u8[p++]
          r |= (byte & 0x7f) << shift
          shift += 7
        } while (byte & 0x80)
        return r >>> 0
      }
      while (p < u8.length) {
        const id = u8[p++],
          size = read(),
          end = p + size
        if (id === 1) {
          for (let n = read(); n > 0; n--) {
            if (u8[p++] !== 0x60) return
            const params = [],
              results = []
            for (let c = read(); c > 0; c--) {
              const l = LETTER[u8[p++]]
              if (!l) return
              params.push(l)
            }
            for (let c = read(); c > 0; c--) {
              const l = LETTER[u8[p++]]
              if (!l) return
              results.push(l)
            }
            learned.add(`${params.join('')}:${results.join('')}`)
          }
          return
        }
        p = end
      }
    } catch (e) {
      /* not ours to judge: the engine reports bad modules */
    }
  }

  // --- call tables shared with modules instantiated later ---
  // A module instantiated through us that imports a call table of ours may
  // write slots of it with its active element segments: the transformed
  // instances calling through that table forget those slots. (A table.set in
  // the other module's code cannot be seen: see the README's limits.)
  /** For each call table, the `forget(index, count)` of every transformed instance calling through it. */
  const sharers = new WeakMap()
  /** Active element segments of modules compiled through us: [{ table, offset: number | { global } | null, length }]. */
  const segmentsOf = new WeakMap()
  /**
   * The active element segments in a module's bytes, or null where the
   * reading meets something it does not know (then every slot counts as written).
   */
  function readElementSegments(bytes) {
    try {
      const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes.buffer ? bytes.buffer : bytes, bytes.byteOffset || 0, bytes.byteLength)
      let p = 8
      const read = () => {
        let r = 0,
          shift = 0,
          byte
        do {
          byte = u8[p++]
          r |= (byte & 0x7f) << shift
          shift += 7
        } while (byte & 0x80)
        return r >>> 0
      }
      const readSigned = () => {
        let r = 0,
          shift = 0,
          byte
        do {
          byte = u8[p++]
          r |= (byte & 0x7f) << shift
          shift += 7
        } while (byte & 0x80)
        return shift < 32 && byte & 0x40 ? r | (-1 << shift) : r
      }
      /** An offset: a constant, an imported global, or null for anything else (extended constants). */
      const offset = () => {
        const op = u8[p++]
        const value = op === 0x41 ? readSigned() : op === 0x23 ? { global: read() } : null
        return u8[p++] === 0x0b ? value : null
      }
      /** Skips one element expression (ref.func, ref.null, global.get); false for anything else. */
      const skipExpr = () => {
        for (;;) {
          const op = u8[p++]
          if (op === 0x0b) return true
          if (op === 0xd2 || op === 0x23) read()
          else if (op === 0xd0) p++
          else return false
        }
      }
      while (p < u8.length) {
        const id = u8[p++],
          size = read(),
          end = p + size
        if (id !== 9) {
          p = end
          continue
        }
        const segments = []
        for (let n = read(); n > 0; n--) {
          const flags = read()
          const active = !(flags & 1)
          const table = active && flags & 2 ? read() : 0
          const at = active ? offset() : null
          if (!active || flags & 2) p++ // the element kind or reference type
          const count = read()
          for (let i = 0; i < count; i++) if (flags & 4 ? !skipExpr() : (read(), false)) return null
          if (active) segments.push({ table, offset: at, length: count })
        }
        return segments
      }
      return []
    } catch (e) {
      return null
    }
  }
  /** After a module is instantiated: the slots its element segments wrote in our call tables are forgotten. */
  function followSharedTables(module, imports) {
    const listed = WA.Module.imports(module)
    const tables = listed.filter(i => i.kind === 'table').map(i => imports?.[i.module]?.[i.name])
    if (!tables.some(t => sharers.has(t))) return
    const globals = listed.filter(i => i.kind === 'global').map(i => imports?.[i.module]?.[i.name])
    const segments = segmentsOf.get(module) ?? null
    tables.forEach((table, index) => {
      const forget = sharers.get(table)
      if (!forget) return
      const write = (at, length) => {
        for (const f of forget) f(at, length)
      }
      if (!segments) return write(0, table.length)
      for (const seg of segments) {
        if (seg.table !== index) continue
        const g = seg.offset !== null && typeof seg.offset === 'object' ? globals[seg.offset.global] : undefined
        const at = typeof seg.offset === 'number' ? seg.offset : g instanceof WA.Global ? g.value : typeof g === 'number' ? g : null
        if (at === null) write(0, table.length)
        else write(at >>> 0, seg.length)
      }
    })
  }
  function compiled(module, bytes) {
    segmentsOf.set(module, readElementSegments(bytes))
    return module
  }

  // --- adapters built at run time, for signatures the transform did not know ---
  const ZERO = {
    i: [0x41, 0],
    j: [0x42, 0],
    f: [0x43, 0, 0, 0, 0],
    d: [0x44, 0, 0, 0, 0, 0, 0, 0, 0],
    V: [0xfd, 0x0c, ...new Array(16).fill(0)],
    F: [0xd0, 0x70],
    E: [0xd0, 0x6f],
  }
  /** Same rules as the build-time adapters: drop extra arguments, zero missing ones, zero or drop the result; never several results. */
  function adaptable(siteSig, targetSig) {
    const site = parseSig(siteSig),
      target = parseSig(targetSig)
    if (site.results.length > 1 || target.results.length > 1) return false
    const n = Math.min(site.params.length, target.params.length)
    for (let i = 0; i < n; i++) if (site.params[i] !== target.params[i]) return false
    return !site.results || !target.results || site.results === target.results
  }
  const sleb = n => {
    const out = []
    for (;;) {
      const byte = n & 0x7f
      n >>= 7
      if ((n === 0 && !(byte & 0x40)) || (n === -1 && byte & 0x40)) {
        out.push(byte)
        return out
      }
      out.push(byte | 0x80)
    }
  }
  const adapterModules = new Map()
  const adapterInstances = new WeakMap()
  /**
   * A function of the shadow table's type for `site` that calls slot idx of
   * the instance's call table as `target`. The slot index is its extra last
   * argument, or the module's slot global (`slotVia: 'global'`). With
   * `record` ({ t, k }), it first reports the call to the diagnostics hook.
   */
  function dynamicAdapter(inst, siteSig, targetSig, record) {
    const viaGlobal = !!inst.slotGlobal
    // In a module that makes tail calls, an adapter whose result passes through unchanged tail-calls (return_call_indirect).
    const tail = !!inst.meta.tailCalls && parseSig(siteSig).results === parseSig(targetSig).results
    const key = [siteSig, targetSig, viaGlobal, tail, record ? `${record.t}/${record.k}` : ''].join('/')
    let perInstance = adapterInstances.get(inst)
    if (!perInstance) adapterInstances.set(inst, (perInstance = new Map()))
    let fn = perInstance.get(key)
    if (fn) return fn
    let module = adapterModules.get(key)
    if (!module) {
      const site = parseSig(siteSig),
        target = parseSig(targetSig)
      const n = site.params.length
      const imports = [[...str('m'), ...str('t'), 1, 0x70, 0, 0]]
      if (record) imports.push([...str('m'), ...str('h'), 1, 0x70, 0, 0])
      if (viaGlobal) imports.push([...str('m'), ...str('g'), 3, 0x7f, 1])
      if (record) imports.push([...str('m'), ...str('s'), 3, 0x7f, 1])
      const slot = viaGlobal ? [0x23, 0] : [0x20, ...leb(n)]
      const code = []
      if (record) code.push(0x23, viaGlobal ? 1 : 0, 0x41, ...sleb(record.t), 0x41, ...sleb(record.k), 0x41, 3, 0x11, 2, 1)
      for (let i = 0; i < target.params.length; i++) code.push(...(i < n ? [0x20, ...leb(i)] : ZERO[target.params[i]]))
      code.push(...slot, tail ? 0x13 : 0x11, 1, 0)
      if (!site.results && target.results) code.push(0x1a)
      if (site.results && !target.results) code.push(...ZERO[site.results])
      const body = [0, ...code, 0x0b]
      const bytes = [
        0,
        0x61,
        0x73,
        0x6d,
        1,
        0,
        0,
        0,
        ...section(1, vec([funcType(siteSig, !viaGlobal), funcType(targetSig), [0x60, 3, 0x7f, 0x7f, 0x7f, 0]])),
        ...section(2, vec(imports)),
        ...section(3, vec([[0]])),
        ...section(7, vec([[...str('a'), 0, 0]])),
        ...section(10, vec([[...leb(body.length), ...body]])),
      ]
      adapterModules.set(key, (module = new WA.Module(new Uint8Array(bytes))))
    }
    fn = new WA.Instance(module, { m: { t: inst.table, h: inst.hooks, g: inst.slotGlobal, s: inst.siteGlobal } }).exports.a
    perInstance.set(key, fn)
    return fn
  }

  // --- diagnostics: mismatched calls counted per site, across instances ---
  const recorded = []
  /** The sites that mismatched so far, as a profile a build can take (`profile` option). */
  function report() {
    const sites = []
    for (const { meta, counts, dynSigs } of recorded) {
      for (const c of counts.values()) {
        const site = meta.sites[c.site] || { f: 'unknown', i: -1, n: -1 }
        const sigOf = k => (k < meta.sigs.length ? meta.sigs[k] : dynSigs[k - meta.sigs.length])
        sites.push({ site: `${site.i}#${site.n}`, function: site.f, expected: sigText(meta.siteSigs[c.t]), actual: sigText(sigOf(c.k)), count: c.count })
      }
    }
    return { version: 1, kind: 'fpcast-trampoline profile', sites: sites.sort((a, b) => b.count - a.count) }
  }
  let exitHook = false
  function printAtExit() {
    const proc = globalThis.process
    if (exitHook || !proc || typeof proc.on !== 'function') return
    exitHook = true
    proc.on('exit', () => {
      const profile = report()
      const lines = profile.sites.map(s => `  ${s.site} ${s.function}: ${s.expected} called ${s.actual} x${s.count}`)
      const sites = new Set(profile.sites.map(s => s.site)).size
      proc.stderr.write(`[fpcast-trampoline] adapted calls by site (${sites} sites):\n${lines.join('\n')}\n`)
      const file = proc.env?.FPCAST_PROFILE
      const fs = file && proc.getBuiltinModule?.('fs')
      if (fs) fs.writeFileSync(file, JSON.stringify(profile, null, 2))
    })
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
      if (!probe) probes.set(key, (probe = importModule([funcType(key)], false)))
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

  /** `(i32, f64) -> i32`, as the transform's messages write it. */
  function sigText(sig) {
    const { params, results } = parseSig(sig)
    return `(${[...params].map(c => NAME[c]).join(', ')}) -> ${results ? [...results].map(c => NAME[c]).join(', ') : 'void'}`
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
    if (meta.version === 1) return fromFormat1(meta)
    if (meta.version !== 2) throw new Error(`[fpcast-trampoline] this module was transformed by a newer version (format ${meta.version}); update the runtime`)
    return meta
  }

  /** Format 1 wrote signatures as Emscripten letters, result first (`iii`, `vi`): the same as WireSigs. */
  function fromFormat1(meta) {
    const wire = key => `${key.slice(1)}:${key[0] === 'v' ? '' : key[0]}`
    const jsTables = meta.jsTables && Object.fromEntries(Object.entries(meta.jsTables).map(([k, v]) => [wire(k), v]))
    return {
      ...meta,
      sigs: meta.sigs?.map(wire),
      probeSigs: meta.probeSigs?.map(wire),
      siteSigs: meta.siteSigs?.map(wire),
      jsSigs: meta.jsSigs?.map(wire),
      jsTables,
    }
  }

  function findTable(access, imports, instance) {
    if (access?.import) return imports?.[access.import.module]?.[access.import.base]
    if (access?.export && instance) return instance.exports[access.export]
    return undefined
  }

  /**
   * Builds our import object and, once the instance exists, hooks its table.
   * `meta` may be null when the module is not known yet (a user's
   * `Module.instantiateWasm` compiles it): the shadow strategy's hooks have a
   * fixed layout and read the metadata only when called, after `attach`.
   */
  function prepare(meta, imports) {
    const state = { meta, table: undefined, hooks: undefined, slotGlobal: undefined, siteGlobal: undefined, counts: new Map(), dynSigs: [] }
    let hooks
    let fns
    let types
    if (!meta || meta.strategy === 'shadow') {
      /** The signatures a function may have: the module's, the other ones it declares, those learned from modules compiled since. */
      const candidateSigs = () => state.meta.sigs.concat(state.meta.probeSigs || [], [...learned])
      // -> k: a signature of the module (wasm picks the adapter); -3: an adapter
      // built here is in hooks[2]; -2: unknown or incompatible (native behaviour).
      const classify = (f, t) => {
        const { sigs, siteSigs } = state.meta
        if (!f) return -2
        const key = signatureOf(f, candidateSigs())
        if (key === null) return -2
        const k = sigs.indexOf(key)
        if (k >= 0) return k
        if (!state.table || !adaptable(siteSigs[t], key)) return -2
        let record
        if (state.meta.siteGlobal) {
          if (!state.dynSigs.includes(key)) state.dynSigs.push(key)
          record = { t, k: sigs.length + state.dynSigs.indexOf(key) }
        }
        hooks.set(2, dynamicAdapter(state, siteSigs[t], key, record))
        return -3
      }
      // Reports an incompatible call, right before the module traps in wasm
      // (`unreachable`: a real trap, which wasm's catch_all cannot catch, so
      // the report cannot travel in the error and goes to the console).
      // k < 0: the module has one trap per call-site signature; the slot tells its type.
      const mismatch = (t, k, slot) => {
        const { sigs, siteSigs } = state.meta
        const f = k < 0 && state.table ? state.table.get(slot) : null
        const key = k >= 0 ? sigs[k] : f && signatureOf(f, candidateSigs())
        const holds = key ? sigText(key) : 'a function of another type'
        console.error(
          `[fpcast-trampoline] incompatible indirect call at ${callSite(state.meta)}: the call site expects ${sigText(siteSigs[t])} but table slot ${slot} holds ${holds}; value types differ at some position, so the call cannot be adapted (see the 'incompatible' option) and traps (RuntimeError: unreachable)`,
        )
      }
      // One count per site and signature of the function adapted to (a GLib emit site calls handlers of several).
      const recordCall = (site, t, k) => {
        const key = site * 0x10000 + k
        const c = state.counts.get(key)
        if (c) {
          c.count++
          return
        }
        state.counts.set(key, { site, t, k, count: 1 })
        const { sites, sigs, siteSigs } = state.meta
        const where = sites[site] ? `${sites[site].f}#${sites[site].n} (wasm-function[${sites[site].i}])` : `site ${site}`
        const actual = k < sigs.length ? sigs[k] : state.dynSigs[k - sigs.length]
        console.warn(`[fpcast-trampoline] adapted call at ${where}: expects ${sigText(siteSigs[t])}, the function is ${sigText(actual)}`)
      }
      fns = [classify, mismatch, () => {}, recordCall]
      types = [
        [0x60, 2, 0x70, 0x7f, 1, 0x7f],
        [0x60, 3, 0x7f, 0x7f, 0x7f, 0],
        [0x60, 0, 0],
        [0x60, 3, 0x7f, 0x7f, 0x7f, 0],
      ]
    } else {
      fns = meta.jsSigs.map(key => (...args) => {
        const idx = args.pop()
        const table = state.table ?? findTable(meta.jsTables[key], imports, null)
        return table.get(idx)(...args)
      })
      types = meta.jsSigs.map(key => funcType(key, true))
    }
    const wrapper = new WA.Instance(importModule(types, true), { m: Object.fromEntries(fns.map((f, i) => [String(i), f])) })
    const accessOf = m => (m.strategy === 'shadow' ? m.table : Object.values(m.jsTables ?? {})[0])
    if (meta) state.table = findTable(accessOf(meta), imports, null)

    function attach(instance, module) {
      if (!state.meta) {
        state.meta = module && readMeta(module)
        if (!state.meta) return
        if (state.meta.strategy !== 'shadow')
          throw new Error(
            "[fpcast-trampoline] a module built with strategy 'js' cannot be instantiated through Module.instantiateWasm; build it with the default strategy",
          )
      }
      const meta = state.meta
      // The module's exported hooks table gets our functions before anything can call them.
      hooks = instance.exports[HOOKS]
      if (hooks.length < fns.length) hooks.grow(fns.length - hooks.length)
      fns.forEach((_, i) => {
        if (meta.strategy !== 'shadow' || i !== 2) hooks.set(i, wrapper.exports[String(i)])
      })
      state.hooks = hooks
      state.slotGlobal = meta.slotGlobal && instance.exports[meta.slotGlobal]
      state.siteGlobal = meta.siteGlobal && instance.exports[meta.siteGlobal]
      if (meta.siteGlobal) {
        recorded.push({ meta, counts: state.counts, dynSigs: state.dynSigs })
        printAtExit()
        // Diagnostics builds only: the one global we define, so a page can read the profile
        // whatever the bundler made of the glue's module scope.
        globalThis.fpcastTrampolineReport ??= report
      }
      const table = findTable(accessOf(meta), imports, instance)
      state.table = table
      if (!table || meta.strategy !== 'shadow') return
      const invalidate = instance.exports[meta.invalidate]
      let forget = sharers.get(table)
      if (!forget) sharers.set(table, (forget = new Set()))
      forget.add((index, count) => invalidate(index, count, true))
      // An own property shadows the prototype's set for this table only. A
      // grown table needs nothing: the shadows grow when a call needs it.
      const set = table.set
      Object.defineProperty(table, 'set', {
        configurable: true,
        writable: true,
        value(index, value) {
          const r = set.apply(this, arguments)
          invalidate(index, 1, true) // true: the "changed" mark (anything but null)
          return r
        },
      })
    }
    return { imports, attach }
  }

  /**
   * The instance as the glue should see it: without our own exports, which
   * Emscripten's dynamic linker would otherwise try to relocate.
   */
  function withoutOurExports(instance) {
    const exports = {}
    for (const [name, value] of Object.entries(instance.exports)) if (!name.startsWith('fpcast$')) exports[name] = value
    return Object.create(instance, { exports: { value: Object.freeze(exports), enumerable: true } })
  }

  /**
   * Instances wired here, and the views of them handed out: a library that
   * instantiates through us inside its own `Module.instantiateWasm` hands
   * the glue's hook an instance that is wired already.
   */
  const wired = new WeakSet()
  function wiredView(instance) {
    const view = withoutOurExports(instance)
    wired.add(instance)
    wired.add(view)
    return view
  }

  function instantiateModule(module, imports) {
    const meta = readMeta(module)
    if (!meta)
      return WA.instantiate(module, imports).then(instance => {
        followSharedTables(module, imports)
        return instance
      })
    const { imports: ours, attach } = prepare(meta, imports)
    return WA.instantiate(module, ours).then(instance => {
      followSharedTables(module, imports)
      attach(instance)
      return wiredView(instance)
    })
  }

  const ns = Object.create(WA)
  ns.instantiate = function instantiate(source, imports) {
    if (source instanceof WA.Module) return instantiateModule(source, imports)
    learnTypes(source)
    return WA.compile(source).then(module => instantiateModule(compiled(module, source), imports).then(instance => ({ module, instance })))
  }
  ns.instantiateStreaming = function instantiateStreaming(source, imports) {
    return WA.compileStreaming(source).then(module => instantiateModule(module, imports).then(instance => ({ module, instance })))
  }
  ns.compile = function compile(bytes) {
    learnTypes(bytes)
    return WA.compile(bytes).then(module => compiled(module, bytes))
  }
  function Module(bytes) {
    learnTypes(bytes)
    return compiled(new WA.Module(bytes), bytes)
  }
  Module.prototype = WA.Module.prototype
  Module.customSections = WA.Module.customSections
  Module.imports = WA.Module.imports
  Module.exports = WA.Module.exports
  ns.Module = Module
  function Instance(module, imports) {
    const meta = readMeta(module)
    if (!meta) {
      const instance = new WA.Instance(module, imports)
      followSharedTables(module, imports)
      return instance
    }
    const { imports: ours, attach } = prepare(meta, imports)
    const instance = new WA.Instance(module, ours)
    followSharedTables(module, imports)
    attach(instance)
    return wiredView(instance)
  }
  Instance.prototype = WA.Instance.prototype
  ns.Instance = Instance
  /**
   * Wraps a user's `Module.instantiateWasm(imports, successCallback)`: it gets
   * our imports too, and the instance is wired up before the glue sees it.
   */
  ns.report = report
  ns.hookInstantiateWasm = function hookInstantiateWasm(user) {
    if (typeof user !== 'function') return user
    return function instantiateWasm(imports, receive) {
      const { imports: ours, attach } = prepare(null, imports)
      return user.call(this, ours, function (instance, module, ...rest) {
        if (wired.has(instance)) return receive.call(this, instance, module, ...rest)
        if (!module && instance && instance.exports && instance.exports[HOOKS]) {
          throw new Error(
            '[fpcast-trampoline] Module.instantiateWasm passed a transformed instance to its callback without its module; call it as successCallback(instance, module)',
          )
        }
        attach(instance, module)
        return receive.call(this, module && readMeta(module) ? wiredView(instance) : instance, module, ...rest)
      })
    }
  }
  return ns
}
