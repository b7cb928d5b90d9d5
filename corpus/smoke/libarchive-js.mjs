// libarchive.js (a library bundle: its worker script contains the Emscripten glue,
// run in a worker_thread): write a tar.gz and a zip, open them again, list and read.
import { sha } from '../lib/util.mjs'
export default async function (root) {
  const { Archive, ArchiveCompression, ArchiveFormat } = await import(`${root}/libarchive.js/dist/libarchive-node.mjs`)
  const text = 'hello libarchive\n'.repeat(200)
  const files = [
    { file: new Blob([text]), pathname: 'a/hello.txt' },
    { file: new Blob([new Uint8Array(3000).map((_, i) => (i * 7) & 255)]), pathname: 'b/bin.dat' },
  ]
  const out = {}
  for (const [name, compression, format] of [
    ['t.tar.gz', ArchiveCompression.GZIP, ArchiveFormat.USTAR],
    ['t.tar.bz2', ArchiveCompression.BZIP2, ArchiveFormat.USTAR],
  ]) {
    const f = await Archive.write({ files, outputFileName: name, compression, format, passphrase: null })
    const archive = await Archive.open(new File([f], name))
    const extracted = await archive.extractFiles()
    const list = []
    const walk = async (o, p) => {
      for (const [k, v] of Object.entries(o).sort()) {
        if (v instanceof File || v instanceof Blob) list.push(`${p}${k}:${v.size}:${sha(new Uint8Array(await v.arrayBuffer()))}`)
        else await walk(v, `${p}${k}/`)
      }
    }
    await walk(extracted, '')
    out[name] = list
    await archive.close?.()
  }
  return out
}
