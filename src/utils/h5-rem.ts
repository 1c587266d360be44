/**
 * H5 only: sets the root font size that Taro's px→rem conversion expects (the same formula as the inline
 * script Taro would put in index.html: 40px per 750 design px of the narrower side, kept within 20–40px).
 * It runs from the bundle instead, because our server's Content-Security-Policy (script-src 'self')
 * blocks inline scripts.
 */
export function installRootFontSize(win: Window = window): void {
  const apply = () => {
    const el = win.document.documentElement
    const { width, height } = el.getBoundingClientRect()
    const w = Math.min(...[width, height].filter(Boolean))
    const x = (40 * w) / 750
    el.style.fontSize = x >= 40 ? '40px' : x <= 20 ? '20px' : `${x}px`
  }
  win.addEventListener('resize', () => {
    apply()
    setTimeout(apply, 500)
  })
  apply()
}
