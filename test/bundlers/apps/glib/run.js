// Runs an Emscripten module factory of the glib fixture and stores what it
// printed in globalThis.__fpcastResult (the tests read it from Node or Chromium).
// Its main() makes function pointer casts: untransformed, it prints one line and traps.
export function start(createModule) {
  const lines = []
  const errors = []
  let error = null
  return Promise.resolve(
    createModule({
      print: s => lines.push(s),
      printErr: s => errors.push(s),
      // MODULARIZE swallows a trap in main() once the ready promise resolved; quit() still sees it.
      quit: (_status, e) => {
        if (!(e && e.name === 'ExitStatus')) error = String(e?.message || e)
      },
      // Test plumbing: the untransformed runs point locateFile at the original files.
      ...(globalThis.__fpcastModuleArgs || {}),
    }),
  ).then(
    () => {
      globalThis.__fpcastResult = { lines, errors, error }
    },
    e => {
      globalThis.__fpcastResult = { lines, errors, error: `rejected: ${e?.message || e}` }
    },
  )
}
