/** The two side-by-side panels: each call's log and its result, or its trap. */
import type { Outcome } from './library.ts'

const KEEP = 6

export function showOutcome(list: HTMLOListElement, label: string, outcome: Outcome): void {
  const doc = list.ownerDocument
  const item = doc.createElement('li')
  item.className = outcome.error ? 'outcome trapped' : 'outcome ok'
  const head = doc.createElement('div')
  head.className = 'call'
  head.textContent = label
  const log = doc.createElement('pre')
  log.className = 'log'
  log.textContent = outcome.lines.join('\n')
  const result = doc.createElement('div')
  result.className = outcome.error ? 'error' : 'result'
  result.textContent = outcome.error ?? `returned ${outcome.value}`
  item.append(head)
  if (outcome.lines.length) item.append(log)
  item.append(result)
  list.prepend(item)
  while (list.children.length > KEEP) list.lastElementChild!.remove()
}
