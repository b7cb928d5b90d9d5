// Custom sections of a wasm binary, and its producers section (none of the
// corpus packages keeps one: they are stripped by release builds).
function leb(b, p) {
  let r = 0,
    s = 0,
    x
  do {
    x = b[p++]
    r |= (x & 127) << s
    s += 7
  } while (x & 128)
  return [r >>> 0, p]
}
export function customSections(b) {
  const out = {}
  let p = 8
  while (p < b.length) {
    const id = b[p++]
    let size
    ;[size, p] = leb(b, p)
    const end = p + size
    if (id === 0) {
      let n
      ;[n, p] = leb(b, p)
      const name = new TextDecoder().decode(b.subarray(p, p + n))
      p += n
      out[name] = b.subarray(p, end)
    }
    p = end
  }
  return out
}
export function producers(b) {
  const s = customSections(b).producers
  if (!s) return null
  let p = 0,
    n
  ;[n, p] = leb(s, p)
  const res = {}
  const str = () => {
    let l
    ;[l, p] = leb(s, p)
    const v = new TextDecoder().decode(s.subarray(p, p + l))
    p += l
    return v
  }
  for (let i = 0; i < n; i++) {
    const f = str()
    let m
    ;[m, p] = leb(s, p)
    res[f] = []
    for (let j = 0; j < m; j++) {
      const k = str(),
        v = str()
      res[f].push(`${k} ${v}`)
    }
  }
  return res
}
