/**
 * Firefox (Debian's firefox-esr, SpiderMonkey) as a real engine: the glib
 * fixture app and sql.js built with Vite's Node API, with and without the
 * plugin, served from 127.0.0.1 and opened in headless Firefox with a fresh
 * profile. playwright-core cannot drive Firefox, so a harness page POSTs what
 * the app printed back to the test server.
 */
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import type { WasmReport } from 'unplugin-fpcast-trampoline/vite'
import { type Built, viteBuild } from './bundlers/builds.ts'
import { expectSqljsReports, GLIB_EXPECTED, serveStatic, sqljsExpected, workdir } from './bundlers/helpers.ts'

const FIREFOX = '/usr/bin/firefox-esr'
const MISSING = `${FIREFOX} is missing: apt-get install -y firefox-esr (Debian package; .ci/run installs it)`
/** "Mozilla Firefox 153.7.0esr" */
const VERSION = existsSync(FIREFOX) ? execFileSync(FIREFOX, ['--version'], { encoding: 'utf8', timeout: 30_000 }).trim() : null
/** SpiderMonkey's words for V8's "function signature mismatch". */
const FIREFOX_TRAP = 'indirect call signature mismatch'

/**
 * A fresh profile that opens nothing but the test page and asks the network
 * for nothing: no first-run or what's-new pages, updates, telemetry, studies,
 * remote settings, safe browsing lists, captive portal or connectivity checks.
 */
const PREFS: Record<string, boolean | number | string> = {
  'browser.shell.checkDefaultBrowser': false,
  'browser.startup.homepage_override.mstone': 'ignore',
  'browser.startup.page': 0,
  'browser.startup.homepage': 'about:blank',
  'startup.homepage_welcome_url': '',
  'startup.homepage_welcome_url.additional': '',
  'startup.homepage_override_url': '',
  'browser.aboutwelcome.enabled': false,
  'browser.newtabpage.enabled': false,
  'browser.newtab.preload': false,
  'browser.sessionstore.resume_from_crash': false,
  'toolkit.startup.max_resumed_crashes': -1,
  'browser.tabs.warnOnClose': false,
  'app.update.disabledForTesting': true,
  'app.update.auto': false,
  'app.update.checkInstallTime': false,
  'extensions.update.enabled': false,
  'extensions.update.autoUpdateDefault': false,
  'extensions.getAddons.cache.enabled': false,
  'extensions.systemAddon.update.enabled': false,
  'extensions.blocklist.enabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'datareporting.healthreport.uploadEnabled': false,
  'toolkit.telemetry.enabled': false,
  'toolkit.telemetry.unified': false,
  'toolkit.telemetry.archive.enabled': false,
  'toolkit.telemetry.server': 'data:,',
  'toolkit.telemetry.reportingpolicy.firstRun': false,
  'datareporting.usage.uploadEnabled': false,
  // Glean: a negative port drops pings instead of sending them.
  'telemetry.fog.test.localhost_port': -1,
  'browser.ping-centre.telemetry': false,
  'app.normandy.enabled': false,
  'app.normandy.api_url': '',
  'app.shield.optoutstudies.enabled': false,
  'messaging-system.rsexperimentloader.enabled': false,
  // Remote settings: honoured on release builds with MOZ_REMOTE_SETTINGS_DEVTOOLS=1 (set below); this dummy URL means "no remote activity".
  'services.settings.server': 'data:,#remote-settings-dummy/v1',
  'services.settings.loglevel': 'off',
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'browser.safebrowsing.blockedURIs.enabled': false,
  'browser.safebrowsing.downloads.enabled': false,
  'browser.safebrowsing.downloads.remote.enabled': false,
  'browser.safebrowsing.provider.google.updateURL': '',
  'browser.safebrowsing.provider.google4.updateURL': '',
  'browser.safebrowsing.provider.mozilla.updateURL': '',
  'network.captive-portal-service.enabled': false,
  'captivedetect.canonicalURL': '',
  'network.connectivity-service.enabled': false,
  'network.trr.mode': 5,
  'network.dns.disablePrefetch': true,
  'network.prefetch-next': false,
  'network.http.speculative-parallel-limit': 0,
  'network.proxy.type': 0,
  'security.OCSP.enabled': 0,
  'security.remote_settings.crlite_filters.enabled': false,
  'security.remote_settings.intermediates.enabled': false,
  'browser.region.network.url': '',
  'browser.region.update.enabled': false,
  'browser.search.update': false,
  'geo.provider.network.url': '',
  'media.gmp-manager.url': '',
  'media.gmp-manager.chromium-update-url': '',
  'media.gmp-gmpopenh264.enabled': false,
  'media.gmp-widevinecdm.enabled': false,
  'dom.push.connection.enabled': false,
  'identity.fxaccounts.enabled': false,
  'browser.discovery.enabled': false,
  'browser.translations.enable': false,
  'browser.ml.enable': false,
  'browser.topsites.contile.enabled': false,
  'browser.urlbar.merino.endpointURL': '',
  'browser.urlbar.suggest.searches': false,
  'browser.backup.enabled': false,
  'extensions.getAddons.discovery.api_url': 'data:, ',
  'general.useragent.updates.enabled': false,
  'network.sntp.pools': '',
  'security.certerrors.mitm.priming.enabled': false,
  'browser.contentblocking.report.lockwise.enabled': false,
  'toolkit.crashreporter.enabled': false,
  'dom.max_script_run_time': 0,
}

/** What the page sends: the app's globalThis.__fpcastResult, or how its run ended without one. */
interface Report {
  result: { lines: string[]; errors: string[]; error: string | null } | null
  /** How the Emscripten runtime quit (recorded when the harness is asked to). */
  quit: { status: number; name: string; message: string; wasmRuntimeError: boolean } | null
  problems: string[]
  userAgent: string
}

/**
 * Loads `entry` as a module script and POSTs one Report to /report once the
 * app stored its result. Uncaught errors and failed script/link loads are
 * collected as problems (and sent at once, so a run that never finishes says why).
 * `recordQuit` passes a `quit` to the module factory (run.js spreads
 * globalThis.__fpcastModuleArgs over its own) that keeps the error's name.
 */
function harness(entry: string, recordQuit: boolean): string {
  return `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><script>
const problems = []
const send = (m) => fetch('/report', { method: 'POST', body: JSON.stringify(m) })
const problem = (p) => { problems.push(p); send({ problem: p }) }
addEventListener('error', (e) => problem(e instanceof ErrorEvent ? 'error: ' + e.message : 'failed to load: ' + (e.target.src || e.target.href)), true)
addEventListener('unhandledrejection', (e) => problem('unhandledrejection: ' + ((e.reason && e.reason.message) || e.reason)))
globalThis.__fpcastQuit = null
${recordQuit ? `globalThis.__fpcastModuleArgs = { quit: (status, e) => { globalThis.__fpcastQuit = { status, name: e && e.name, message: e && e.message, wasmRuntimeError: e instanceof WebAssembly.RuntimeError } } }` : ''}
const poll = setInterval(() => {
  if (!globalThis.__fpcastResult) return
  clearInterval(poll)
  send({ result: globalThis.__fpcastResult, quit: globalThis.__fpcastQuit, problems, userAgent: navigator.userAgent })
}, 20)
</script></head><body><script type="module" src="${entry}"></script></body></html>`
}

interface FirefoxRun {
  report: Report
  /** Paths the page requested from the test server. */
  requests: string[]
}

/** Serves `outDir` with the harness at /firefox.html, opens it in a fresh headless Firefox, and waits for the report. */
async function runInFirefox(outDir: string, entry: string, recordQuit = false, timeout = 60_000): Promise<FirefoxRun> {
  if (!VERSION) throw new Error(MISSING)
  let received!: (r: Report) => void
  const reported = new Promise<Report>(r => {
    received = r
  })
  const early: string[] = []
  const server = await serveStatic(outDir, { '/firefox.html': harness(`/${entry}`, recordQuit) }, (path, body) => {
    if (path !== '/report') return
    const m = JSON.parse(body)
    if ('problem' in m) early.push(m.problem)
    else received(m)
  })
  const profile = mkdtempSync(join(tmpdir(), 'fpcast-firefox-'))
  writeFileSync(
    join(profile, 'user.js'),
    Object.entries(PREFS)
      .map(([k, v]) => `user_pref(${JSON.stringify(k)}, ${JSON.stringify(v)});\n`)
      .join(''),
  )
  // Its own process group (detached), so that killing -pid ends the content, GPU and socket processes too.
  const firefox = spawn(FIREFOX, ['--headless', '--no-remote', '--profile', profile, `${server.url}/firefox.html`], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    // MOZ_DISABLE_NONLOCAL_CONNECTIONS (as Mozilla's own test harnesses set it): connections beyond loopback are refused.
    env: {
      ...process.env,
      HOME: profile,
      MOZ_HEADLESS: '1',
      MOZ_CRASHREPORTER_DISABLE: '1',
      MOZ_DISABLE_NONLOCAL_CONNECTIONS: '1',
      MOZ_REMOTE_SETTINGS_DEVTOOLS: '1',
    },
  })
  let output = ''
  const keep = (b: Buffer) => {
    output = (output + b.toString('utf8')).slice(-4000)
  }
  firefox.stdout!.on('data', keep)
  firefox.stderr!.on('data', keep)
  const exited = new Promise<void>(r => firefox.once('exit', () => r()))
  let timer: NodeJS.Timeout | undefined
  try {
    const report = await Promise.race([
      reported,
      new Promise<never>((_, reject) => {
        firefox.once('error', reject)
        firefox.once('exit', (code, signal) =>
          reject(new Error(`Firefox exited (${code ?? signal}) before the page reported; problems: ${JSON.stringify(early)}; output:\n${output}`)),
        )
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `no report from Firefox within ${timeout} ms; problems: ${JSON.stringify(early)}; requests: ${JSON.stringify(server.requests)}; output:\n${output}`,
              ),
            ),
          timeout,
        )
      }),
    ])
    return { report, requests: [...server.requests] }
  } finally {
    clearTimeout(timer)
    if (firefox.pid && firefox.exitCode === null && firefox.signalCode === null) {
      try {
        process.kill(-firefox.pid, 'SIGKILL')
      } catch {}
      await exited
    }
    if (firefox.pid) await reap(firefox.pid)
    await server.close()
    rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 })
  }
}

/**
 * Firefox's processes that outlive the kill of its group: its crash helper
 * runs in a session of its own (`crashhelper <firefox pid> ...`) and ends
 * when it sees Firefox gone. Waits for them, then kills any left by pid.
 */
async function reap(pid: number): Promise<void> {
  const survivors = () =>
    readdirSync('/proc')
      .filter(d => /^\d+$/.test(d))
      .filter(d => {
        try {
          const stat = readFileSync(`/proc/${d}/stat`, 'utf8')
          const pgid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2])
          const argv = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0')
          return (pgid === pid && !stat.includes(') Z ')) || (argv[0].endsWith('/crashhelper') && argv[1] === String(pid))
        } catch {
          return false
        }
      })
      .map(Number)
  for (let i = 0; i < 50 && survivors().length; i++) await new Promise(r => setTimeout(r, 100))
  for (const p of survivors())
    try {
      process.kill(p, 'SIGKILL')
    } catch {}
}

const assets = (b: Built, ext: string) => readdirSync(join(b.outDir, 'assets')).filter(f => f.endsWith(ext))

/** Not installed is a failure, not a skip: CI installs firefox-esr. */
function needFirefox(): string {
  if (!VERSION) throw new Error(MISSING)
  return VERSION
}

describe(`${VERSION ?? 'Firefox (firefox-esr not installed)'}`, () => {
  describe('glib app built with Vite', () => {
    const reports: WasmReport[] = []
    let built: Built
    let plain: Built

    beforeAll(async () => {
      if (!VERSION) return
      built = await viteBuild(workdir('glib', 'glib-vite-firefox'), 'dist', { report: r => reports.push(r), cache: false }, 'client')
      plain = await viteBuild(workdir('glib', 'glib-vite-firefox-plain'), 'dist', undefined, 'client')
    })

    it('runs with exactly the expected output', async () => {
      const version = needFirefox()
      expect(reports.map(r => [r.strategy, r.sites])).toEqual([['shadow', { total: 30, rewritten: 30 }]])
      const [wasm, ...more] = assets(built, '.wasm')
      expect(more).toEqual([])
      const { report, requests } = await runInFirefox(built.outDir, built.entry)
      console.log(`${version}: ${report.userAgent}`)
      expect(report.userAgent).toContain(`Firefox/${version.match(/(\d+)\./)![1]}.`)
      expect(requests).toContain(`/assets/${wasm}`)
      expect(report.problems).toEqual([])
      expect(report.result).toEqual({ lines: GLIB_EXPECTED, errors: [], error: null })
    })

    // The harness passes its own `quit` here to see the error's name and class, so the app's own `error` stays null.
    it(`traps without the plugin: RuntimeError "${FIREFOX_TRAP}"`, async () => {
      needFirefox()
      const [wasm] = assets(plain, '.wasm')
      const { report, requests } = await runInFirefox(plain.outDir, plain.entry, true)
      console.log(`${VERSION}, stock build: ${JSON.stringify(report.quit)}`)
      expect(requests).toContain(`/assets/${wasm}`)
      expect(report.result).toEqual({ lines: GLIB_EXPECTED.slice(0, 1), errors: [], error: null })
      expect(report.quit).toEqual({ status: 1, name: 'RuntimeError', message: FIREFOX_TRAP, wasmRuntimeError: true })
    })
  })

  describe('sql.js built with Vite', () => {
    it('prints what stock sql.js prints under Node', async () => {
      needFirefox()
      const expected = sqljsExpected()
      expect(expected).toHaveLength(4)
      const reports: WasmReport[] = []
      const built = await viteBuild(workdir('sqljs', 'sqljs-vite-firefox'), 'dist', { report: r => reports.push(r) }, 'client')
      expectSqljsReports(reports)
      const [wasm, ...more] = assets(built, '.wasm')
      expect(more).toEqual([])
      expect(wasm).toMatch(/^sql-wasm-browser-[\w-]+\.wasm$/)
      const { report, requests } = await runInFirefox(built.outDir, built.entry)
      expect(requests).toContain(`/assets/${wasm}`)
      expect(report.problems).toEqual([])
      expect(report.result).toEqual({ lines: expected, errors: [], error: null })
    })
  })
})
