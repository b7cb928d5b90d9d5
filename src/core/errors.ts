/**
 * The one error class of this package. Messages start with a fixed prefix,
 * name the file and the thing that was wrong, and say what to do; the
 * underlying error, when there is one, is kept as `cause`.
 *
 *   new FpcastError('not a WebAssembly binary', { file: 'app.wasm' })
 *     .message  '[fpcast-trampoline] app.wasm: not a WebAssembly binary'
 *     .file     'app.wasm'
 *     .reason   'not a WebAssembly binary'
 *
 * Code that wraps or passes on an error reads `file` and `reason`, never the
 * message's text.
 */
export class FpcastError extends Error {
  override name = 'FpcastError'
  /** File the error is about, when known. */
  readonly file?: string
  /** What was wrong and what to do: the message without the prefix and the file. */
  readonly reason!: string

  constructor(reason: string, options: { file?: string; cause?: unknown } = {}) {
    // No `cause: undefined` (Node prints it) and a file that is not enumerable, so a printed error is its one line and stack.
    super(`[fpcast-trampoline] ${options.file ? `${options.file}: ` : ''}${reason}`, options.cause === undefined ? undefined : { cause: options.cause })
    Object.defineProperty(this, 'file', { value: options.file, enumerable: false })
    Object.defineProperty(this, 'reason', { value: reason, enumerable: false })
  }
}

/** An error as a message that wraps it quotes it, without our prefix: `<file>: <reason>` for ours, the message for any other. */
export function describeError(e: unknown): string {
  if (e instanceof FpcastError) return e.file ? `${e.file}: ${e.reason}` : e.reason
  return e instanceof Error ? e.message : String(e)
}
