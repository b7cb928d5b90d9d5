// @ffmpeg/core (a web-worker build: fetches its wasm; smoke-main serves file: URLs):
// generate a test pattern with lavfi, transcode it to MPEG-4 and to PNG, checksum.
import { sha } from '../lib/util.mjs'
export default async function (root, pkg = '@ffmpeg/core') {
  globalThis.self ??= globalThis // a worker build: it reads self.location
  globalThis.location ??= new URL(`file://${root}/${pkg}/dist/esm/ffmpeg-core.js`)
  const { default: createFFmpegCore } = await import(`${root}/${pkg}/dist/esm/ffmpeg-core.js`)
  const core = await createFFmpegCore({ print: () => {}, printErr: () => {} })
  const logs = []
  core.setLogger?.(() => {})
  const run = (...args) => {
    core.reset?.()
    return core.exec(...args)
  }
  const r1 = run(
    '-nostdin',
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=64x48:rate=5:duration=1',
    '-fflags',
    '+bitexact',
    '-flags',
    '+bitexact',
    '-c:v',
    'mpeg4',
    '-q:v',
    '5',
    '-f',
    'avi',
    'out.avi',
  )
  const avi = core.FS.readFile('out.avi')
  const r2 = run('-nostdin', '-i', 'out.avi', '-vf', 'scale=32:24', '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'out.raw')
  const raw = core.FS.readFile('out.raw')
  return { r1, r2, avi: [avi.length, sha(avi)], raw: [raw.length, sha(raw)], logs: logs.length }
}
