// The "env" import module of cast.wasm.
export const lines = []
export function log(x) {
  lines.push(`log ${x}`)
}
