/**
 * The live table of adapted calls: the plugin runtime's report() (a build
 * with `diagnostics: true`), one row per call site and signature of the
 * function adapted to, redrawn after every call.
 * Matched calls are never counted: they stay plain call_indirect.
 */
import type { Profile } from './types.ts'

const previous = new Map<string, number>()

export function drawTable(tbody: HTMLTableSectionElement, profile: Profile): void {
  const sites = [...profile.sites].sort(
    (a, b) => a.function.localeCompare(b.function) || a.site.localeCompare(b.site, undefined, { numeric: true }) || a.actual.localeCompare(b.actual),
  )
  if (!sites.length) {
    const row = tbody.ownerDocument.createElement('tr')
    row.className = 'empty'
    row.innerHTML = '<td colspan="5">no adapted call yet: click a button above</td>'
    tbody.replaceChildren(row)
    return
  }
  tbody.replaceChildren(
    ...sites.map(s => {
      const row = tbody.ownerDocument.createElement('tr')
      row.dataset.site = s.site
      // The site as a profile names it (function index # ordinal), then by function name.
      const cells = { id: s.site, site: `${s.function} #${s.site.split('#')[1]}`, expected: s.expected, actual: s.actual, count: String(s.count) }
      for (const [className, text] of Object.entries(cells)) {
        const td = tbody.ownerDocument.createElement('td')
        td.className = className
        td.textContent = text
        row.append(td)
      }
      // Flash the rows whose count just went up.
      const key = `${s.site} ${s.actual}`
      if ((previous.get(key) ?? 0) < s.count) row.classList.add('changed')
      previous.set(key, s.count)
      return row
    }),
  )
}
