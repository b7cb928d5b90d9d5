/**
 * The C library seen from the page: one call at a time, its log read back,
 * and a trap caught and kept as the call's outcome instead of thrown.
 */
import type { PlaygroundModule } from './types.ts'

export interface Outcome {
  /** What the C code logged during the call, trap or not. */
  lines: string[]
  /** The C function's result; absent when it trapped. */
  value?: number
  /** `RuntimeError: <message>` when the call trapped. */
  error?: string
}

export interface Action {
  id: string
  label: string
  run(m: PlaygroundModule): number
}

/** Runs one call into the library. */
export function call(m: PlaygroundModule, action: Action): Outcome {
  const sp = m.stackSave()
  try {
    const value = action.run(m)
    return { lines: takeLog(m), value }
  } catch (e) {
    if (!(e instanceof WebAssembly.RuntimeError)) throw e
    // A trap skips the epilogues that pop C stack frames: put the stack pointer back.
    m.stackRestore(sp)
    return { lines: takeLog(m), error: `${e.name}: ${e.message}` }
  }
}

function takeLog(m: PlaygroundModule): string[] {
  return m.UTF8ToString(m._pg_log_take()).split('\n').filter(Boolean)
}

const FLAGS: Record<number, string> = { 1: 'METH_VARARGS', 3: 'METH_VARARGS | METH_KEYWORDS', 4: 'METH_NOARGS', 8: 'METH_O' }
const NOARGS = 4

/** The buttons: two signals, then every method of the C method table (read from the module). */
export function actions(m: PlaygroundModule): (Action & { hint: string })[] {
  const list: (Action & { hint: string })[] = [
    { id: 'clicked', label: 'emit "clicked" (3, 4)', hint: '5 handlers, called as (widget, x, y, user_data)', run: x => x._pg_emit_clicked(3, 4) },
    { id: 'toggled', label: 'emit "toggled"', hint: '2 handlers, called as (widget, active, user_data)', run: x => x._pg_emit_toggled() },
  ]
  for (let i = 0; i < m._pg_method_count(); i++) {
    const name = m.UTF8ToString(m._pg_method_name(i))
    const flags = m._pg_method_flags(i)
    list.push({
      id: `method-${name}`,
      label: `counter.${name}(${flags === NOARGS ? '' : '5'})`,
      hint: FLAGS[flags] ?? `flags ${flags}`,
      run: x => x._pg_call_method(i, 5),
    })
  }
  return list
}
