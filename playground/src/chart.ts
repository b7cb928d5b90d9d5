/**
 * The benchmark as a horizontal bar chart in plain SVG: one group per build,
 * a bar for matched calls and one for cast calls, each labelled with its
 * figure. Linear scale from zero, so bar lengths compare honestly.
 */
import type { BenchResult } from './bench.ts'

const SVG = 'http://www.w3.org/2000/svg'
const LABEL_W = 300
const BAR_H = 18
const GAP = 4
const GROUP_GAP = 14
const WIDTH = 1040
const VALUE_W = 190
const COLORS = { matched: '#3b82f6', cast: '#f97316' }

function el<K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, name)
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v))
  if (text !== undefined) e.textContent = text
  return e
}

export function formatNs(ns: number): string {
  return ns >= 100 ? `${ns.toFixed(0)} ns` : ns >= 10 ? `${ns.toFixed(1)} ns` : `${ns.toFixed(2)} ns`
}

/** Draws `results` (in order, grouped by variant) into `svg`. */
export function drawChart(svg: SVGSVGElement, results: BenchResult[]): void {
  svg.replaceChildren()
  const max = Math.max(1e-9, ...results.map(r => r.ns ?? 0))
  const barArea = WIDTH - LABEL_W - VALUE_W
  let y = 28
  // Legend.
  ;(['matched', 'cast'] as const).forEach((kind, i) => {
    svg.append(el('rect', { x: LABEL_W + i * 150, y: 4, width: 12, height: 12, fill: COLORS[kind] }))
    svg.append(el('text', { x: LABEL_W + i * 150 + 18, y: 14, class: 'legend' }, kind === 'matched' ? 'matched call' : 'cast call (adapted)'))
  })
  const groups = [...new Set(results.map(r => r.variant))]
  for (const variant of groups) {
    const rows = results.filter(r => r.variant === variant)
    svg.append(el('text', { x: LABEL_W - 10, y: y + BAR_H + GAP / 2 + 4, 'text-anchor': 'end', class: 'group' }, rows[0].label))
    for (const r of rows) {
      if (r.ns === null) {
        svg.append(
          el(
            'text',
            { x: LABEL_W + 4, y: y + BAR_H - 5, class: 'value trap', 'data-variant': r.variant, 'data-kind': r.kind },
            `${r.kind}: ${r.note ?? 'traps'}`,
          ),
        )
      } else {
        const w = Math.max(2, (r.ns / max) * barArea)
        const bar = el('rect', {
          x: LABEL_W,
          y,
          width: w.toFixed(1),
          height: BAR_H,
          fill: COLORS[r.kind],
          class: 'bar',
          'data-variant': r.variant,
          'data-kind': r.kind,
          'data-ns': r.ns.toFixed(3),
        })
        bar.append(el('title', {}, `${r.label}, ${r.kind}: ${formatNs(r.ns)} per call`))
        svg.append(bar)
        svg.append(el('text', { x: LABEL_W + w + 6, y: y + BAR_H - 5, class: 'value', 'data-variant': r.variant, 'data-kind': r.kind }, `${formatNs(r.ns)}`))
      }
      y += BAR_H + GAP
    }
    y += GROUP_GAP
  }
  svg.setAttribute('viewBox', `0 0 ${WIDTH} ${y}`)
  svg.setAttribute('width', String(WIDTH))
  svg.setAttribute('height', String(y))
}
