// A plain wasm imported the Vite way: `?init` instantiates it (through the
// plugin's runtime), `?url` is the URL of the emitted (transformed) file.
import init from './cast.wasm?init'
import url from './cast.wasm?url'

const lines = []
let error = null
init({ env: { log: x => lines.push(`log ${x}`) } })
  .then(instance => {
    const { call2, hello } = instance.exports
    hello()
    lines.push(`add ${call2(1, 2, 3)}`)
    try {
      lines.push(`inc through a cast ${call2(0, 41, 99)}`)
    } catch (e) {
      error = String(e?.message || e)
    }
    lines.push(`url is a ${typeof url} ending in .wasm: ${/\.wasm$/.test(url)}`)
  })
  .catch(e => {
    error = `rejected: ${e?.message || e}`
  })
  .then(() => {
    globalThis.__fpcastResult = { lines, errors: [], error }
  })
