/**
 * H5 only: what WeChat reads from its own accessibility attributes, said the way browsers (and screen readers) read it.
 *
 * - NutUI passes WeChat's `ariaRole` to Taro's components, and Taro's H5 components write it as an attribute named
 *   after the prop, `aria-role`, which no browser knows: a radio, checkbox or switch then has no role, and the
 *   `aria-checked` beside it is not allowed on an element without one. It becomes `role`.
 * - NutUI's Button is Taro's `<taro-button-core>`, a custom element without the semantics of a <button>: it gets
 *   role=button, and aria-disabled when NutUI draws it disabled (an inactive control, as a native disabled button is).
 * - The scrolling containers Taro draws (each page, ScrollView) are focusable, so that a keyboard can scroll them
 *   when nothing inside takes the focus.
 *
 * The weapp build needs none of this (WeChat reads aria-role), so it is installed from app.ts for H5 only.
 */
const SCROLLERS = '.taro_page, taro-scroll-view-core'

function fix(el: Element): void {
  const role = el.getAttribute('aria-role')
  if (role !== null) {
    if (role) el.setAttribute('role', role)
    el.removeAttribute('aria-role')
  }
  if (el.localName === 'taro-button-core') {
    if (el.getAttribute('role') !== 'button') el.setAttribute('role', 'button')
    const disabled = el.classList.contains('nut-button-disabled') ? 'true' : 'false'
    if (el.getAttribute('aria-disabled') !== disabled) el.setAttribute('aria-disabled', disabled)
  } else if (el.matches(SCROLLERS) && !el.hasAttribute('tabindex')) {
    el.setAttribute('tabindex', '0')
  }
}

function fixTree(node: Node): void {
  if (!(node instanceof Element)) return
  fix(node)
  node.querySelectorAll(`[aria-role], taro-button-core, ${SCROLLERS}`).forEach(fix)
}

export function installH5Accessibility(doc: Document = document): MutationObserver {
  const observer = new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === 'attributes') fix(r.target as Element)
      else r.addedNodes.forEach(fixTree)
    }
  })
  observer.observe(doc.documentElement, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-role', 'class'] })
  fixTree(doc.documentElement)
  return observer
}
