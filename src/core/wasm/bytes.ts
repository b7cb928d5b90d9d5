/**
 * Reading a wasm binary's section list straight from its bytes, without
 * binaryen (the bundler's main thread never loads binaryen; transforms run in
 * workers).
 */

/** The names of the module's custom sections, in order. */
export function customSectionNames(bytes: Uint8Array): string[] {
  const names: string[] = []
  let p = 8
  const leb = () => {
    let r = 0,
      shift = 0,
      byte: number
    do {
      byte = bytes[p++]
      r += (byte & 0x7f) * 2 ** shift
      shift += 7
    } while (byte & 0x80 && p < bytes.length)
    return r
  }
  while (p < bytes.length) {
    const id = bytes[p++]
    const size = leb()
    const end = p + size
    if (id === 0) {
      const len = leb()
      names.push(new TextDecoder().decode(bytes.subarray(p, p + len)))
    }
    p = end
  }
  return names
}
