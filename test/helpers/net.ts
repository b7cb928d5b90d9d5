/** A TCP port free on 127.0.0.1 now (for a dev server started with strictPort). */
import { type AddressInfo, createServer } from 'node:net'

export function freePort(): Promise<number> {
  return new Promise(resolve => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo
      s.close(() => resolve(port))
    })
  })
}
