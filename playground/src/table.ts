/**
 * The live table of adapted calls: the plugin runtime's report() (a build
 * with `diagnostics: true`), one row per call site, redrawn after every call.
 * Matched calls are never counted: they stay plain call_indirect.
 */
import type { Profile } from './types.ts'

const previous = new Map<string, number>()

export function drawTable(tbody: HTMLTableSectionElement, profile: Profile): void {
  const sites = [...profile.sites].sort((a, b) => a.function.localeCompare(b.function) || a.site.localeCompare(b.site, undefined, { numeric: true }))
  if (!sites.length) {
    const row = tbody.ownerDocument.createElement('tr')
    row.className = 'empty'
    row.innerHTML = '<td colspan="5">no adapted call yet: click a button above</td>'
    tbody.replaceChildren(row)
    return
  }
  tbody.replaceChildren(...sites.map((s) => {
    const row = tbody.ownerDocument.createElement('tr')
    row.dataset.site = s.site
    const cells = [`${s.function} #${s.site.split('#')[1]}`, s.expected, s.actual, String(s.count)]
    const code = tbody.ownerDocument.createElement('code')
    code.textContent = s.site
    for (const [i, text] of cells.entries()) {
      const td = tbody.ownerDocument.createElement('td')
      td.textContent = text
      td.className = ['site', 'expected', 'actual', 'count'][i]
      row.append(td)
    }
    const id = tbody.ownerDocument.createElement('td')
    id.className = 'id'
    id.append(code)
    row.prepend(id)
    // Flash the rows whose count just went up.
    if ((previous.get(s.site) ?? 0) < s.count) row.classList.add('changed')
    previous.set(s.site, s.count)
    return row
  }))
}
