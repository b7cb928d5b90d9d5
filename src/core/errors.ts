/**
 * The one error class of this package. Messages start with a fixed prefix,
 * name the file and the thing that was wrong, and say what to do; the
 * underlying error, when there is one, is kept as `cause`.
 */
export class FpcastError extends Error {
  override name = 'FpcastError'
  /** File the error is about, when known. */
  readonly file?: string

  constructor(message: string, options: { file?: string; cause?: unknown } = {}) {
    // No `cause: undefined` (Node prints it) and a file that is not enumerable, so a printed error is its one line and stack.
    super(`[fpcast-trampoline] ${options.file ? `${options.file}: ` : ''}${message}`, options.cause === undefined ? undefined : { cause: options.cause })
    Object.defineProperty(this, 'file', { value: options.file, enumerable: false })
  }
}
