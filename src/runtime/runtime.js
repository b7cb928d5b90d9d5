// @ts-check
/**
 * The runtime of a transformed module: fills its hooks table, keeps its
 * shadow tables in step with the call table (and with modules sharing it),
 * and reports incompatible calls. No dependencies, no eval, no `new Function`.
 *
 * `fpcastRuntime(WebAssembly)` returns an object that behaves like the
 * `WebAssembly` namespace (everything is inherited from it), except that
 * `instantiate`, `instantiateStreaming` and `Instance` recognise modules
 * carrying our custom section and wire them up, and `compile` and `Module`
 * note what the runtime needs of every module compiled from bytes (its
 * function types, its active element segments). The glue rewrite points
 * Emscripten's own `WebAssembly.instantiate*()` / `new WebAssembly.Instance()`
 * calls at it, which works the same for every Emscripten version, minified or
 * not, async or sync, web or Node. Other modules (side modules, Emscripten's
 * own little helper modules) pass through untouched.
 *
 * Why one long function: scripts/embed-runtime.mjs reads this file and
 * injects the text of this function (from its `function` keyword to the end
 * of the file) into the glue, through src/runtime/source.ts. So it stays
 * self-contained: nothing outside it is referenced at run time, nothing may
 * follow it, and its parts are inner functions. The typedefs below and the
 * JSDoc types inside are comments; `npm run typecheck` checks them
 * (tsconfig.runtime.json), and every value of the transform↔runtime contract
 * written here as a literal is declared with the type of its value in
 * src/core/protocol.ts, so the two cannot differ.
 *
 * @typedef {typeof import('../core/protocol.ts')} Protocol
 * @typedef {import('../core/protocol.ts').Meta} Meta
 * @typedef {import('../core/protocol.ts').ShadowMeta} ShadowMeta
 * @typedef {import('../core/protocol.ts').JsMeta} JsMeta
 * @typedef {import('../core/protocol.ts').SiteInfo} SiteInfo
 * @typedef {import('../core/protocol.ts').TableAccess} TableAccess
 * @typedef {import('../core/protocol.ts').WireSig} WireSig
 * @typedef {import('../core/options.ts').Profile} Profile
 * @typedef {Extract<Meta, { strategy: 'shadow' }>} Shadow The metadata of a module built with the shadow strategy.
 * @typedef {Shadow & { sites: SiteInfo[] }} Diagnosed The metadata of a diagnostics build (it has siteGlobal and sites).
 *
 * Format 1 of the metadata: format 2's fields, which format 3 keeps (see fromFormat1).
 * @typedef {Partial<Omit<ShadowMeta, 'strategy'> & Omit<JsMeta, 'strategy'>> & { version: 1, strategy: Meta['strategy'], firstOwnFunction: number }} Format1
 *
 * An active element segment: the index of its table, its offset (a constant, an imported global, or null if other), its length.
 * @typedef {{ table: number, offset: number | { global: number } | null, length: number }} Segment
 *
 * The transform's `invalidate(index, count, mark)` export: slots of the call table changed.
 * @typedef {(index: number, count: number, mark: unknown) => void} Invalidate
 *
 * What prepare() keeps for one instance; its hooks read it when called.
 * @typedef {object} Wiring
 * @property {Meta | null} meta null until attach() reads it (a user's Module.instantiateWasm compiles the module)
 * @property {WebAssembly.Table} [table] the call table
 * @property {WebAssembly.Table} [hooks] the hooks table
 * @property {WebAssembly.Global} [slotGlobal] the slot global (slotVia 'global')
 * @property {WebAssembly.Global} [siteGlobal] the current site (diagnostics builds)
 * @property {Map<number, { site: number, t: number, k: number, count: number }>} counts adapted calls per site and signature (diagnostics builds)
 * @property {WireSig[]} dynSigs signatures adapted at run time, numbered from sigs.length on in the counts
 *
 * A user's `Module.instantiateWasm`, as Emscripten calls it.
 * @typedef {(imports: WebAssembly.Imports, receive: (instance: WebAssembly.Instance, module?: WebAssembly.Module, ...rest: unknown[]) => unknown) => unknown} InstantiateWasm
 */

/** @type {typeof import('./runtime.d.ts').fpcastRuntime} */
export function fpcastRuntime(WA) {
  /** @type {Protocol['SECTION']} */ const SECTION = 'fpcast_trampoline'
  /** @type {Protocol['FORMAT_VERSION']} */ const FORMAT_VERSION = 3
  /** @type {Protocol['PREFIX']} */ const PREFIX = 'fpcast$'
  /** @type {Protocol['HOOKS_TABLE']} */ const HOOKS_TABLE = 'fpcast$hooks'
  /** @type {Protocol['HOOK']} */ const HOOK = { classify: 0, mismatch: 1, dynamic: 2, record: 3 }
  /** @type {Protocol['CLASSIFY']} */ const CLASSIFY = { unknown: -2, dynamicAdapter: -3 }
  /** @type {Record<string, number>} */ const TYPE = { i: 0x7f, j: 0x7e, f: 0x7d, d: 0x7c, V: 0x7b, F: 0x70, E: 0x6f }
  /** @type {Record<string, string>} */ const NAME = { i: 'i32', j: 'i64', f: 'f32', d: 'f64', V: 'v128', F: 'funcref', E: 'externref' }

  // --- a tiny wasm writer, for probe, hook and adapter modules ---
  /** The magic number and version 1. */
  const HEADER = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]
  /** @param {number} n */
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
  /** @param {number} n */
  const sleb = n => {
    /** @type {number[]} */ const out = []
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
  /** @param {string} s */
  const str = s => {
    const bytes = Array.from(s, c => c.charCodeAt(0))
    return [...leb(bytes.length), ...bytes]
  }
  /** @param {number} id @param {number[]} body */
  const section = (id, body) => [id, ...leb(body.length), ...body]
  /** @param {number[][]} items */
  const vec = items => [...leb(items.length), ...items.flat()]
  /**
   * Signatures are WireSigs (protocol.ts), as the transform writes them into
   * the metadata: parameter letters, a colon, result letters.
   * @param {WireSig} sig
   */
  const parseSig = sig => {
    const at = sig.indexOf(':')
    return { params: sig.slice(0, at), results: sig.slice(at + 1) }
  }
  /** The type section entry of a WireSig, with one more i32 parameter if `extraI32`. @param {WireSig} sig */
  const funcType = (sig, extraI32 = false) => {
    const { params: p, results: r } = parseSig(sig)
    const params = [...p].map(c => TYPE[c]).concat(extraI32 ? [0x7f] : [])
    const results = [...r].map(c => TYPE[c])
    return [0x60, ...leb(params.length), ...params, ...leb(results.length), ...results]
  }
  /**
   * A module importing one function per type from "m" and, if `reexport`, exporting them again (as wasm functions).
   * @param {number[][]} types
   * @param {boolean} reexport
   */
  const importModule = (types, reexport) => {
    const bytes = [...HEADER, ...section(1, vec(types)), ...section(2, vec(types.map((_, i) => [...str('m'), ...str(String(i)), 0, ...leb(i)])))]
    if (reexport) bytes.push(...section(7, vec(types.map((_, i) => [...str(String(i)), 0, ...leb(i)]))))
    return new WA.Module(new Uint8Array(bytes))
  }

  // --- reading a module's bytes: its function types, its element segments ---
  /**
   * The body of section `id` of a module's bytes, as a cursor: the bytes
   * `u8`, the position `at`, and `leb(signed)`, which reads a LEB128 there
   * (past the end, it reads 0); null when the module has no such section.
   * @param {BufferSource} bytes
   * @param {number} id
   */
  function sectionReader(bytes, id) {
    const u8 =
      bytes instanceof Uint8Array ? bytes : ArrayBuffer.isView(bytes) ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : new Uint8Array(bytes)
    const r = {
      u8,
      at: 8,
      leb(signed = false) {
        let value = 0
        let shift = 0
        let byte
        do {
          byte = u8[r.at++]
          value |= (byte & 0x7f) << shift
          shift += 7
        } while (byte & 0x80)
        return !signed ? value >>> 0 : shift < 32 && byte & 0x40 ? value | (-1 << shift) : value
      },
    }
    while (r.at < u8.length) {
      const found = u8[r.at++]
      const size = r.leb()
      if (found === id) return r
      r.at += size
    }
    return null
  }

  const LETTER = Object.fromEntries(Object.entries(TYPE).map(([k, v]) => [v, k]))
  /** @type {Set<WireSig>} the function types of every module compiled through us from bytes (side modules, addFunction's helper modules) */
  const learned = new Set()
  /** Reads the type section of a module's bytes; anything it does not understand ends the reading quietly. @param {BufferSource} bytes */
  function learnTypes(bytes) {
    try {
      const r = sectionReader(bytes, 1)
      if (!r) return
      for (let n = r.leb(); n > 0; n--) {
        if (r.u8[r.at++] !== 0x60) return
        /** @type {[string[], string[]]} */ const lists = [[], []] // params, results
        for (const list of lists) {
          for (let c = r.leb(); c > 0; c--) {
            const l = LETTER[r.u8[r.at++]]
            if (!l) return
            list.push(l)
          }
        }
        learned.add(`${lists[0].join('')}:${lists[1].join('')}`)
      }
    } catch {
      /* not ours to judge: the engine reports bad modules */
    }
  }

  /**
   * The active element segments in a module's bytes, or null where the
   * reading meets something it does not know (then every slot counts as written).
   * @param {BufferSource} bytes
   * @returns {Segment[] | null}
   */
  function readElementSegments(bytes) {
    try {
      const r = sectionReader(bytes, 9)
      if (!r) return []
      const { u8 } = r
      /** An offset: a constant, an imported global, or null for anything else (extended constants). */
      const offset = () => {
        const op = u8[r.at++]
        const value = op === 0x41 ? r.leb(true) : op === 0x23 ? { global: r.leb() } : null
        return u8[r.at++] === 0x0b ? value : null
      }
      /** Skips one element expression (ref.func, ref.null, global.get); false for anything else. */
      const skipExpr = () => {
        for (;;) {
          const op = u8[r.at++]
          if (op === 0x0b) return true
          if (op === 0xd2 || op === 0x23) r.leb()
          else if (op === 0xd0) r.at++
          else return false
        }
      }
      /** @type {Segment[]} */ const segments = []
      for (let n = r.leb(); n > 0; n--) {
        const flags = r.leb()
        const active = !(flags & 1)
        const table = active && flags & 2 ? r.leb() : 0
        const at = active ? offset() : null
        if (!active || flags & 2) r.at++ // the element kind or reference type
        const count = r.leb()
        // Each element: an expression (flags & 4) or a function index.
        for (let i = 0; i < count; i++) {
          if (!(flags & 4)) r.leb()
          else if (!skipExpr()) return null
        }
        if (active) segments.push({ table, offset: at, length: count })
      }
      return segments
    } catch {
      return null
    }
  }

  // --- call tables shared with modules instantiated later ---
  // A module instantiated through us that imports a call table of ours may
  // write slots of it with its active element segments: the transformed
  // instances calling through that table forget those slots. (A table.set in
  // the other module's code cannot be seen: see the README's limits.)
  /** @type {WeakMap<WebAssembly.Table, Set<(index: number, count: number) => void>>} for each call table, the `forget(index, count)` of every transformed instance calling through it */
  const sharers = new WeakMap()
  /** @type {WeakMap<WebAssembly.Module, Segment[] | null>} the active element segments of each module compiled through us from bytes (null: unreadable) */
  const segmentsOf = new WeakMap()
  /**
   * After a module is instantiated: the slots its element segments wrote in our call tables are forgotten.
   * @param {WebAssembly.Module} module
   * @param {WebAssembly.Imports} [imports]
   */
  function followSharedTables(module, imports) {
    const listed = WA.Module.imports(module)
    /** @param {WebAssembly.ImportExportKind} kind */
    const imported = kind => listed.filter(i => i.kind === kind).map(i => imports?.[i.module]?.[i.name])
    // The instance exists: each table it imports is a Table.
    const tables = /** @type {WebAssembly.Table[]} */ (imported('table'))
    if (!tables.some(t => sharers.has(t))) return
    const globals = imported('global')
    const segments = segmentsOf.get(module) ?? null
    for (const [index, table] of tables.entries()) {
      const forget = sharers.get(table)
      if (!forget) continue
      /** @param {number} at @param {number} length */
      const write = (at, length) => {
        for (const f of forget) f(at, length)
      }
      if (!segments) {
        write(0, table.length)
        continue
      }
      for (const seg of segments) {
        if (seg.table !== index) continue
        const g = seg.offset !== null && typeof seg.offset === 'object' ? globals[seg.offset.global] : undefined
        const at = typeof seg.offset === 'number' ? seg.offset : g instanceof WA.Global ? g.value : typeof g === 'number' ? g : null
        if (at === null) write(0, table.length)
        else write(at >>> 0, seg.length)
      }
    }
  }
  /**
   * Only a module that imports a table can write one of ours: the others'
   * segments are not read (reading every element of a 60,000-slot segment
   * warms up the JIT, 4 MB of RSS).
   * @param {WebAssembly.Module} module @param {BufferSource} bytes
   */
  function compiled(module, bytes) {
    if (WA.Module.imports(module).some(i => i.kind === 'table')) segmentsOf.set(module, readElementSegments(bytes))
    return module
  }

  // --- adapters built at run time, for signatures the transform did not know ---
  /** @type {Record<string, number[]>} the instructions of a zero of each type */
  const ZERO = {
    i: [0x41, 0],
    j: [0x42, 0],
    f: [0x43, 0, 0, 0, 0],
    d: [0x44, 0, 0, 0, 0, 0, 0, 0, 0],
    V: [0xfd, 0x0c, ...new Array(16).fill(0)],
    F: [0xd0, 0x70],
    E: [0xd0, 0x6f],
  }
  /**
   * Same rules as the build-time adapters: drop extra arguments, zero missing ones, zero or drop the result; never several results.
   * @param {WireSig} siteSig
   * @param {WireSig} targetSig
   */
  function adaptable(siteSig, targetSig) {
    const site = parseSig(siteSig)
    const target = parseSig(targetSig)
    if (site.results.length > 1 || target.results.length > 1) return false
    const n = Math.min(site.params.length, target.params.length)
    for (let i = 0; i < n; i++) if (site.params[i] !== target.params[i]) return false
    return !site.results || !target.results || site.results === target.results
  }
  /** @type {Map<string, WebAssembly.Module>} */ const adapterModules = new Map()
  /** @type {WeakMap<Wiring, Map<string, WebAssembly.ExportValue>>} */ const adapterInstances = new WeakMap()
  /**
   * A function of the shadow table's type for `siteSig` that calls slot idx
   * of the instance's call table as `targetSig`. The slot index is its extra
   * last argument, or the module's slot global (`slotVia: 'global'`). With
   * `record` ({ t, k }), it first reports the call to the diagnostics hook.
   * @param {Wiring} inst
   * @param {WireSig} siteSig
   * @param {WireSig} targetSig
   * @param {{ t: number, k: number }} [record]
   */
  function dynamicAdapter(inst, siteSig, targetSig, record) {
    const viaGlobal = !!inst.slotGlobal
    // In a module that makes tail calls, an adapter whose result passes through unchanged tail-calls (return_call_indirect).
    const tail = !!(/** @type {Shadow} */ (inst.meta).tailCalls) && parseSig(siteSig).results === parseSig(targetSig).results
    const key = [siteSig, targetSig, viaGlobal, tail, record ? `${record.t}/${record.k}` : ''].join('/')
    let perInstance = adapterInstances.get(inst)
    if (!perInstance) adapterInstances.set(inst, (perInstance = new Map()))
    let fn = perInstance.get(key)
    if (fn) return fn
    let module = adapterModules.get(key)
    if (!module) adapterModules.set(key, (module = adapterModule(siteSig, targetSig, viaGlobal, tail, record)))
    // Only what the module imports is read: the call table, and the rest when present.
    const imports = /** @type {WebAssembly.ModuleImports} */ ({ t: inst.table, h: inst.hooks, g: inst.slotGlobal, s: inst.siteGlobal })
    fn = new WA.Instance(module, { m: imports }).exports.a
    perInstance.set(key, fn)
    return fn
  }
  /**
   * The module of one adapter (see dynamicAdapter). It imports from "m" the
   * call table `t`; with `record`, the hooks table `h` and the site global
   * `s`; with `viaGlobal`, the slot global `g`. It exports the adapter as `a`.
   * @param {WireSig} siteSig
   * @param {WireSig} targetSig
   * @param {boolean} viaGlobal
   * @param {boolean} tail
   * @param {{ t: number, k: number }} [record]
   */
  function adapterModule(siteSig, targetSig, viaGlobal, tail, record) {
    const site = parseSig(siteSig)
    const target = parseSig(targetSig)
    const n = site.params.length
    const imports = [[...str('m'), ...str('t'), 1, 0x70, 0, 0]]
    if (record) imports.push([...str('m'), ...str('h'), 1, 0x70, 0, 0])
    if (viaGlobal) imports.push([...str('m'), ...str('g'), 3, 0x7f, 1])
    if (record) imports.push([...str('m'), ...str('s'), 3, 0x7f, 1])
    const slot = viaGlobal ? [0x23, 0] : [0x20, ...leb(n)]
    const code = []
    // record(site, t, k): global.get s, i32.const t, i32.const k, then call_indirect (type 2) through h
    if (record) code.push(0x23, viaGlobal ? 1 : 0, 0x41, ...sleb(record.t), 0x41, ...sleb(record.k), 0x41, ...sleb(HOOK.record), 0x11, 2, 1)
    for (let i = 0; i < target.params.length; i++) code.push(...(i < n ? [0x20, ...leb(i)] : ZERO[target.params[i]]))
    code.push(...slot, tail ? 0x13 : 0x11, 1, 0)
    if (!site.results && target.results) code.push(0x1a)
    if (site.results && !target.results) code.push(...ZERO[site.results])
    const body = [0, ...code, 0x0b]
    const types = [funcType(siteSig, !viaGlobal), funcType(targetSig), [0x60, 3, 0x7f, 0x7f, 0x7f, 0]]
    const bytes = [
      ...HEADER,
      ...section(1, vec(types)),
      ...section(2, vec(imports)),
      ...section(3, vec([[0]])),
      ...section(7, vec([[...str('a'), 0, 0]])),
      ...section(10, vec([[...leb(body.length), ...body]])),
    ]
    return new WA.Module(new Uint8Array(bytes))
  }

  // --- diagnostics: adapted calls counted per site, across instances ---
  /** @type {{ meta: Diagnosed, counts: Wiring['counts'], dynSigs: WireSig[] }[]} */ const recorded = []
  /**
   * The calls adapted so far, per site, as a profile a build can take (`profile` option).
   * @returns {Profile}
   */
  function report() {
    /** @type {Profile['sites']} */ const sites = []
    for (const { meta, counts, dynSigs } of recorded) {
      for (const c of counts.values()) {
        const site = meta.sites[c.site] || { f: 'unknown', i: -1, n: -1 }
        /** @param {number} k */
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
  /** @type {Map<WireSig, WebAssembly.Module>} */ const probes = new Map()
  /** @type {WeakMap<Function, WireSig | null>} */ const typeOf = new WeakMap()
  /**
   * The first of `candidates` that `f` has, or null.
   * @param {Function} f
   * @param {WireSig[]} candidates
   */
  function signatureOf(f, candidates) {
    const known = typeOf.get(f)
    if (known !== undefined) return known
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

  /** `(i32, f64) -> i32`, as the transform's messages write it. @param {WireSig} sig */
  function sigText(sig) {
    const { params, results } = parseSig(sig)
    return `(${[...params].map(c => NAME[c]).join(', ')}) -> ${results ? [...results].map(c => NAME[c]).join(', ') : 'void'}`
  }

  /** The first frame below our own functions: the call site, as the engine names it. @param {Meta} meta */
  function callSite(meta) {
    const lines = (new Error().stack ?? '').split('\n')
    for (const line of lines) {
      const m = /wasm-function\[(\d+)\]:(0x[0-9a-f]+)/.exec(line)
      if (m && Number(m[1]) < meta.firstOwnFunction) return line.trim().replace(/^at\s+/, '')
    }
    return 'an unknown site'
  }

  /**
   * The metadata of a transformed module, or null for any other module.
   * @param {WebAssembly.Module} module
   * @returns {Meta | null}
   */
  function readMeta(module) {
    const sections = WA.Module.customSections(module, SECTION)
    if (!sections.length) return null
    /** @type {{ version: number }} */ const meta = JSON.parse(new TextDecoder().decode(sections[0]))
    if (meta.version === 1) return fromFormat1(/** @type {Format1} */ (meta))
    // Format 2 is format 3 without `grow`.
    if (meta.version === 2) return /** @type {Meta} */ ({ ...meta, version: FORMAT_VERSION })
    if (meta.version !== FORMAT_VERSION)
      throw new Error(`[fpcast-trampoline] this module was transformed by a newer version (format ${meta.version}); update the runtime`)
    return /** @type {Meta} */ (meta)
  }

  /**
   * Format 1 wrote signatures as Emscripten letters, result first (`iii`,
   * `vi`): they become WireSigs, and the metadata the current format (a
   * format-1 module has no full shadows, so no `grow`).
   * @param {Format1} meta
   * @returns {Meta}
   */
  function fromFormat1(meta) {
    /** @param {string} key */
    const wire = key => `${key.slice(1)}:${key[0] === 'v' ? '' : key[0]}`
    const jsTables = meta.jsTables && Object.fromEntries(Object.entries(meta.jsTables).map(([k, v]) => [wire(k), v]))
    const sigs = {
      sigs: meta.sigs?.map(wire),
      probeSigs: meta.probeSigs?.map(wire),
      siteSigs: meta.siteSigs?.map(wire),
      jsSigs: meta.jsSigs?.map(wire),
      jsTables,
    }
    return /** @type {Meta} */ ({ ...meta, ...sigs, version: FORMAT_VERSION })
  }

  /**
   * The call table as `access` says: imported (`imports`), or exported (`instance`, once it exists).
   * @param {TableAccess | undefined} access
   * @param {WebAssembly.Imports | undefined} imports
   * @param {WebAssembly.Instance | null} instance
   * @returns {WebAssembly.Table | undefined}
   */
  function findTable(access, imports, instance) {
    if (access?.import) return /** @type {WebAssembly.Table | undefined} */ (imports?.[access.import.module]?.[access.import.base])
    if (access?.export && instance) return /** @type {WebAssembly.Table | undefined} */ (instance.exports[access.export])
    return undefined
  }
  /** How the module reaches its call table (the js strategy: the first table its sites read). @param {Meta} meta */
  const accessOf = meta => (meta.strategy === 'shadow' ? meta.table : Object.values(meta.jsTables ?? {})[0])

  /**
   * The hooks of the shadow strategy (protocol.ts: HOOK), by slot, with their
   * wasm types. They read `state.meta` when called, after attach().
   * @param {Wiring} state
   */
  function shadowHooks(state) {
    /** The signatures a function may have: the module's, the other ones it declares, those learned from modules compiled through us. */
    const candidateSigs = () => {
      const { sigs, probeSigs } = /** @type {Shadow} */ (state.meta)
      return sigs.concat(probeSigs || [], [...learned])
    }
    /** -> k, a signature of the module (wasm picks the adapter), or CLASSIFY.dynamicAdapter (an adapter built here is in slot HOOK.dynamic) or CLASSIFY.unknown (unknown or incompatible: native behaviour). */
    const classify = (/** @type {Function | null} */ f, /** @type {number} */ t) => {
      const { sigs, siteSigs, siteGlobal } = /** @type {Shadow} */ (state.meta)
      if (!f) return CLASSIFY.unknown
      const key = signatureOf(f, candidateSigs())
      if (key === null) return CLASSIFY.unknown
      const k = sigs.indexOf(key)
      if (k >= 0) return k
      if (!state.table || !adaptable(siteSigs[t], key)) return CLASSIFY.unknown
      let record
      if (siteGlobal) {
        if (!state.dynSigs.includes(key)) state.dynSigs.push(key)
        record = { t, k: sigs.length + state.dynSigs.indexOf(key) }
      }
      const hooks = /** @type {WebAssembly.Table} */ (state.hooks)
      hooks.set(HOOK.dynamic, dynamicAdapter(state, siteSigs[t], key, record))
      return CLASSIFY.dynamicAdapter
    }
    // Reports an incompatible call, right before the module traps in wasm
    // (`unreachable`: a real trap, which wasm's catch_all cannot catch, so
    // the report cannot travel in the error and goes to the console).
    // k < 0: the module has one trap per call-site signature; the slot tells its type.
    const mismatch = (/** @type {number} */ t, /** @type {number} */ k, /** @type {number} */ slot) => {
      const { sigs, siteSigs } = /** @type {Shadow} */ (state.meta)
      const f = k < 0 && state.table ? state.table.get(slot) : null
      const key = k >= 0 ? sigs[k] : f && signatureOf(f, candidateSigs())
      const holds = key ? sigText(key) : 'a function of another type'
      console.error(
        `[fpcast-trampoline] incompatible indirect call at ${callSite(/** @type {Meta} */ (state.meta))}: the call site expects ${sigText(siteSigs[t])} but table slot ${slot} holds ${holds}; value types differ at some position, so the call cannot be adapted (see the 'incompatible' option) and traps (RuntimeError: unreachable)`,
      )
    }
    // One count per site and signature of the function adapted to (a GLib emit site calls handlers of several).
    const recordCall = (/** @type {number} */ site, /** @type {number} */ t, /** @type {number} */ k) => {
      const key = site * 0x10000 + k
      const c = state.counts.get(key)
      if (c) {
        c.count++
        return
      }
      state.counts.set(key, { site, t, k, count: 1 })
      const { sites, sigs, siteSigs } = /** @type {Diagnosed} */ (state.meta)
      const where = sites[site] ? `${sites[site].f}#${sites[site].n} (wasm-function[${sites[site].i}])` : `site ${site}`
      const actual = k < sigs.length ? sigs[k] : state.dynSigs[k - sigs.length]
      console.warn(`[fpcast-trampoline] adapted call at ${where}: expects ${sigText(siteSigs[t])}, the function is ${sigText(actual)}`)
    }
    /** @type {{ [name in keyof Protocol['HOOK']]: [Function, number[]] }} */
    const byName = {
      classify: [classify, [0x60, 2, 0x70, 0x7f, 1, 0x7f]], // (funcref, i32) -> i32
      mismatch: [mismatch, [0x60, 3, 0x7f, 0x7f, 0x7f, 0]], // (i32, i32, i32) -> ()
      dynamic: [() => {}, [0x60, 0, 0]], // classify's adapters go there; attach() leaves it
      record: [recordCall, [0x60, 3, 0x7f, 0x7f, 0x7f, 0]], // (i32, i32, i32) -> ()
    }
    /** @type {Function[]} */ const fns = []
    /** @type {number[][]} */ const types = []
    for (const [name, [fn, type]] of Object.entries(byName)) {
      const slot = HOOK[/** @type {keyof Protocol['HOOK']} */ (name)]
      fns[slot] = fn
      types[slot] = type
    }
    return { fns, types }
  }

  /**
   * The hooks of the js strategy: one trampoline per call-site signature
   * (JsMeta.jsSigs), calling slot `idx` (its last argument) of the call table.
   * @param {JsMeta} meta
   * @param {Wiring} state
   * @param {WebAssembly.Imports} [imports]
   */
  function jsHooks(meta, state, imports) {
    const fns = meta.jsSigs.map(key => (/** @type {unknown[]} */ ...args) => {
      const idx = /** @type {number} */ (args.pop())
      const table = /** @type {WebAssembly.Table} */ (state.table ?? findTable(meta.jsTables[key], imports, null))
      return table.get(idx)(...args)
    })
    return { fns, types: meta.jsSigs.map(key => funcType(key, true)) }
  }

  /**
   * Prepares the hooks of an instance of a transformed module; the instance
   * is made with the caller's own imports (the module exports its hooks
   * table). The returned attach(instance) fills the hooks table and follows
   * the call table, before anything can call them. `meta` may be null when
   * the module is not known yet (a user's `Module.instantiateWasm` compiles
   * it): the shadow strategy's hooks have a fixed layout and read the
   * metadata only when called, after `attach`.
   * @param {Meta | null} meta
   * @param {WebAssembly.Imports} [imports]
   */
  function prepare(meta, imports) {
    /** @type {Wiring} */
    const state = { meta, table: undefined, hooks: undefined, slotGlobal: undefined, siteGlobal: undefined, counts: new Map(), dynSigs: [] }
    const { fns, types } = !meta || meta.strategy === 'shadow' ? shadowHooks(state) : jsHooks(meta, state, imports)
    const wrapper = new WA.Instance(importModule(types, true), { m: Object.fromEntries(fns.map((f, i) => [String(i), f])) })
    if (meta) state.table = findTable(accessOf(meta), imports, null)

    /**
     * @param {WebAssembly.Instance} instance
     * @param {WebAssembly.Module} [module] when `meta` was null
     */
    function attach(instance, module) {
      if (!state.meta) {
        state.meta = module ? readMeta(module) : null
        if (!state.meta) return
        if (state.meta.strategy !== 'shadow')
          throw new Error(
            "[fpcast-trampoline] a module built with strategy 'js' cannot be instantiated through Module.instantiateWasm; build it with the default strategy",
          )
      }
      const meta = state.meta
      // The module's exported hooks table gets our functions before anything can call them.
      const hooks = /** @type {WebAssembly.Table} */ (instance.exports[HOOKS_TABLE])
      if (hooks.length < fns.length) hooks.grow(fns.length - hooks.length)
      fns.forEach((_, i) => {
        if (meta.strategy !== 'shadow' || i !== HOOK.dynamic) hooks.set(i, wrapper.exports[String(i)])
      })
      state.hooks = hooks
      if (meta.strategy === 'shadow') {
        state.slotGlobal = meta.slotGlobal ? /** @type {WebAssembly.Global} */ (instance.exports[meta.slotGlobal]) : undefined
        state.siteGlobal = meta.siteGlobal ? /** @type {WebAssembly.Global} */ (instance.exports[meta.siteGlobal]) : undefined
        if (meta.siteGlobal) {
          recorded.push({ meta: /** @type {Diagnosed} */ (meta), counts: state.counts, dynSigs: state.dynSigs })
          printAtExit()
          // Diagnostics builds only: the one global we define, so a page can read the profile
          // whatever the bundler made of the glue's module scope.
          const scope = /** @type {typeof globalThis & { fpcastTrampolineReport?: typeof report }} */ (globalThis)
          scope.fpcastTrampolineReport ??= report
        }
      }
      const table = findTable(accessOf(meta), imports, instance)
      state.table = table
      if (!table || meta.strategy !== 'shadow') return
      const grow = meta.grow ? /** @type {() => void} */ (instance.exports[meta.grow]) : undefined
      followCallTable(table, /** @type {Invalidate} */ (instance.exports[meta.invalidate]), grow)
    }
    return attach
  }

  /**
   * Every write to the call table invalidates the slots it wrote, in the
   * instance's shadow tables: `table.set` from JS, and the element segments
   * of modules instantiated later through us (followSharedTables). Every
   * `table.grow` from JS calls the instance's `grow` (format 3), which grows
   * the shadows its sites index without a clamp.
   * @param {WebAssembly.Table} table
   * @param {Invalidate} invalidate
   * @param {(() => void) | undefined} grow
   */
  function followCallTable(table, invalidate, grow) {
    let forget = sharers.get(table)
    if (!forget) sharers.set(table, (forget = new Set()))
    forget.add((index, count) => invalidate(index, count, true))
    // An own property shadows the prototype's method for this table only; it
    // passes every argument on as given (set(i) and set(i, undefined) differ).
    // Clamped shadows need nothing on a grow: they grow when a call needs it.
    /** @param {'set' | 'grow'} name @param {(index: number) => void} after */
    const follow = (name, after) => {
      const original = /** @type {(...args: unknown[]) => unknown} */ (table[name])
      Object.defineProperty(table, name, {
        configurable: true,
        writable: true,
        /** @param {[number, ...unknown[]]} args */
        value(...args) {
          const r = original.apply(this, args)
          after(args[0])
          return r
        },
      })
    }
    follow('set', index => invalidate(index, 1, true)) // true: the "changed" mark (anything but null)
    if (grow) follow('grow', () => grow())
  }

  /**
   * The instance as the glue should see it: without our own exports, which
   * Emscripten's dynamic linker would otherwise try to relocate.
   * @param {WebAssembly.Instance} instance
   * @returns {WebAssembly.Instance}
   */
  function withoutOurExports(instance) {
    /** @type {WebAssembly.Exports} */ const exports = {}
    for (const [name, value] of Object.entries(instance.exports)) if (!name.startsWith(PREFIX)) exports[name] = value
    return Object.create(instance, { exports: { value: Object.freeze(exports), enumerable: true } })
  }

  /**
   * Instances wired here, and the views of them handed out: a library that
   * instantiates through us inside its own `Module.instantiateWasm` hands
   * the glue's hook an instance that is wired already.
   * @type {WeakSet<WebAssembly.Instance>}
   */
  const wired = new WeakSet()
  /** @param {WebAssembly.Instance} instance */
  function wiredView(instance) {
    const view = withoutOurExports(instance)
    wired.add(instance)
    wired.add(view)
    return view
  }

  /**
   * @param {WebAssembly.Module} module
   * @param {WebAssembly.Imports} [imports]
   * @returns {Promise<WebAssembly.Instance>}
   */
  function instantiateModule(module, imports) {
    const meta = readMeta(module)
    if (!meta)
      return WA.instantiate(module, imports).then(instance => {
        followSharedTables(module, imports)
        return instance
      })
    const attach = prepare(meta, imports)
    return WA.instantiate(module, imports).then(instance => {
      followSharedTables(module, imports)
      attach(instance)
      return wiredView(instance)
    })
  }

  // --- the namespace: WebAssembly's, with these in front ---
  /**
   * @param {BufferSource | WebAssembly.Module} source
   * @param {WebAssembly.Imports} [imports]
   */
  function instantiate(source, imports) {
    if (source instanceof WA.Module) return instantiateModule(source, imports)
    learnTypes(source)
    return WA.compile(source).then(module => instantiateModule(compiled(module, source), imports).then(instance => ({ module, instance })))
  }
  /** @param {Response | PromiseLike<Response>} source @param {WebAssembly.Imports} [imports] */
  function instantiateStreaming(source, imports) {
    return WA.compileStreaming(source).then(module => instantiateModule(module, imports).then(instance => ({ module, instance })))
  }
  /** @param {BufferSource} bytes */
  function compile(bytes) {
    learnTypes(bytes)
    return WA.compile(bytes).then(module => compiled(module, bytes))
  }
  /** @constructor @param {BufferSource} bytes */
  function Module(bytes) {
    learnTypes(bytes)
    return compiled(new WA.Module(bytes), bytes)
  }
  Module.prototype = WA.Module.prototype
  Module.customSections = WA.Module.customSections
  Module.imports = WA.Module.imports
  Module.exports = WA.Module.exports
  /** @constructor @param {WebAssembly.Module} module @param {WebAssembly.Imports} [imports] */
  function Instance(module, imports) {
    const meta = readMeta(module)
    if (!meta) {
      const instance = new WA.Instance(module, imports)
      followSharedTables(module, imports)
      return instance
    }
    const attach = prepare(meta, imports)
    const instance = new WA.Instance(module, imports)
    followSharedTables(module, imports)
    attach(instance)
    return wiredView(instance)
  }
  Instance.prototype = WA.Instance.prototype
  /**
   * Wraps a user's `Module.instantiateWasm(imports, successCallback)`: the
   * instance it passes on is wired up before the glue sees it. Anything but
   * a function passes through unchanged.
   * @param {InstantiateWasm | undefined} user
   * @returns {InstantiateWasm | undefined}
   */
  function hookInstantiateWasm(user) {
    if (typeof user !== 'function') return user
    return /** @this {unknown} */ function instantiateWasm(imports, receive) {
      const attach = prepare(null, imports)
      return user.call(
        this,
        imports,
        /** @this {unknown} */ function (instance, module, ...rest) {
          if (wired.has(instance)) return receive.call(this, instance, module, ...rest)
          if (!module && instance && instance.exports && instance.exports[HOOKS_TABLE]) {
            throw new Error(
              '[fpcast-trampoline] Module.instantiateWasm passed a transformed instance to its callback without its module; call it as successCallback(instance, module)',
            )
          }
          attach(instance, module)
          return receive.call(this, module && readMeta(module) ? wiredView(instance) : instance, module, ...rest)
        },
      )
    }
  }

  /** @type {typeof WebAssembly & { report: typeof report, hookInstantiateWasm: typeof hookInstantiateWasm }} */
  const ns = Object.create(WA)
  ns.instantiate = /** @type {typeof WA.instantiate} */ (instantiate)
  ns.instantiateStreaming = instantiateStreaming
  ns.compile = compile
  ns.Module = Module
  // Called with `new`, it returns another object, which TS does not model: it would type instances of Instance itself.
  ns.Instance = /** @type {typeof WA.Instance} */ (/** @type {unknown} */ (Instance))
  ns.report = report
  ns.hookInstantiateWasm = hookInstantiateWasm
  return ns
}
