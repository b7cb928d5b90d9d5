/**
 * The playground page: the same C library without and with the plugin, side
 * by side; the adapted calls as the runtime counts them; a micro benchmark.
 * `?quick` makes the benchmark tiny (tests).
 */
import './style.css'
import { BENCH_VARIANTS, runBench, type BenchResult } from './bench.ts'
import { drawChart } from './chart.ts'
import { actions, call } from './library.ts'
import { showOutcome } from './panels.ts'
import { drawTable } from './table.ts'
import { adaptedCalls, loadVariants } from './variants.ts'

const $ = <T extends Element>(selector: string) => document.querySelector<T>(selector)!

async function main() {
  const variants = await loadVariants()
  const buttons = $<HTMLDivElement>('#actions')
  const refreshTable = () => drawTable($<HTMLTableSectionElement>('#adapted tbody'), adaptedCalls())
  for (const action of actions(variants.fixed)) {
    const button = document.createElement('button')
    button.id = `action-${action.id}`
    button.innerHTML = `<span class="label"></span><span class="hint"></span>`
    button.querySelector('.label')!.textContent = action.label
    button.querySelector('.hint')!.textContent = action.hint
    button.addEventListener('click', () => {
      showOutcome($('#stock .outcomes'), action.label, call(variants.stock, action))
      showOutcome($('#fixed .outcomes'), action.label, call(variants.fixed, action))
      refreshTable()
    })
    buttons.append(button)
  }
  refreshTable()

  const quick = new URLSearchParams(location.search).has('quick')
  const benchButton = $<HTMLButtonElement>('#bench-run')
  const status = $<HTMLSpanElement>('#bench-status')
  benchButton.addEventListener('click', async () => {
    benchButton.disabled = true
    document.body.dataset.bench = 'running'
    status.textContent = 'running...'
    const results: BenchResult[] = []
    const started = performance.now()
    try {
      await runBench(variants, quick, r => {
        results.push(r)
        drawChart($<SVGSVGElement>('#bench-chart'), results)
        status.textContent = `running... ${results.length}/${BENCH_VARIANTS.length * 2}`
      })
      status.textContent = `done in ${((performance.now() - started) / 1000).toFixed(1)} s${quick ? ' (quick)' : ''}; fastest of several runs, ${navigator.userAgent.match(/Chrom\w+\/[\d.]+|Firefox\/[\d.]+|Version\/[\d.]+ Safari/)?.[0] ?? 'this browser'}`
      document.body.dataset.bench = 'done'
    } catch (e) {
      status.textContent = `failed: ${(e as Error).message}`
      document.body.dataset.bench = 'failed'
      throw e
    } finally {
      benchButton.disabled = false
    }
  })
  document.body.dataset.ready = 'true'
}

main().catch(e => {
  $('#load-error').textContent = `The playground failed to load: ${(e as Error).stack ?? e}`
  document.body.dataset.ready = 'failed'
  throw e
})
