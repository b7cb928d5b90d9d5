/** What the C library exports (playground/c, built by playground/build.sh). */
export interface PlaygroundModule {
  _pg_emit_clicked(x: number, y: number): number
  _pg_emit_toggled(): number
  _pg_method_count(): number
  _pg_method_name(i: number): number
  _pg_method_flags(i: number): number
  _pg_call_method(i: number, arg: number): number
  _pg_bench(kind: number, n: number): number
  _pg_log_take(): number
  UTF8ToString(ptr: number): string
  stackSave(): number
  stackRestore(sp: number): void
}

/** The runtime's report(): adapted calls per call site (a diagnostics build only). */
export interface Profile {
  version: 1
  kind: 'fpcast-trampoline profile'
  sites: { site: string; function: string; expected: string; actual: string; count: number }[]
}

export type CreatePlayground = (options?: Record<string, unknown>) => Promise<PlaygroundModule>
