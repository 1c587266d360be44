import Taro from '@tarojs/taro'
import { ROUTES, TAB_PAGES } from '@/routes'

/** Storage keys. Other features may read the token through getToken(); never write it themselves. */
export const TOKEN_KEY = 'civiclink.token'
export const TOKEN_EXPIRES_KEY = 'civiclink.tokenExpiresAt'
export const ELDER_MODE_KEY = 'civiclink.elderMode'

export const LOGIN_PAGE = ROUTES.login

function read(key: string): string {
  try {
    const v = Taro.getStorageSync(key)
    return typeof v === 'string' ? v : ''
  } catch {
    return ''
  }
}

export function getToken(): string {
  return read(TOKEN_KEY)
}

export function getTokenExpiresAt(): string {
  return read(TOKEN_EXPIRES_KEY)
}

export function setSession(token: string, expiresAt: string): void {
  Taro.setStorageSync(TOKEN_KEY, token)
  Taro.setStorageSync(TOKEN_EXPIRES_KEY, expiresAt)
}

export function clearSession(): void {
  try {
    Taro.removeStorageSync(TOKEN_KEY)
    Taro.removeStorageSync(TOKEN_EXPIRES_KEY)
  } catch {
    // storage unavailable: nothing to clear
  }
}

export function isSignedIn(): boolean {
  return getToken() !== ''
}

/** The route of the page on top of the stack, with a leading slash and its query, for "come back here after sign-in". */
export function currentRoute(): string {
  const pages = Taro.getCurrentPages()
  const top = pages[pages.length - 1] as { route?: string; options?: Record<string, string> } | undefined
  if (!top?.route) return ''
  const route = top.route.startsWith('/') ? top.route : `/${top.route}`
  const q = Object.entries(top.options ?? {})
    .filter(([k]) => k !== '$taroTimestamp')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&')
  return q ? `${route}?${q}` : route
}

let redirecting = 0

/** Sends the user to the sign-in page (once, however many requests fail together), to come back to `back`. */
export function goToLogin(back: string = currentRoute()): void {
  const now = Date.now()
  if (now - redirecting < 1500) return
  redirecting = now
  if (back.startsWith(LOGIN_PAGE)) return
  const url = back ? `${LOGIN_PAGE}?redirect=${encodeURIComponent(back)}` : LOGIN_PAGE
  Taro.reLaunch({ url }).catch(() => {
    redirecting = 0
  })
}

/** After sign-in: back where the user came from (a tab page needs switchTab), or 首页. */
export function leaveLogin(redirect?: string): void {
  redirecting = 0
  const target = redirect ? decodeURIComponent(redirect) : TAB_PAGES[0]
  const path = target.split('?')[0]
  if (TAB_PAGES.includes(path)) Taro.switchTab({ url: path })
  else Taro.redirectTo({ url: target }).catch(() => Taro.switchTab({ url: TAB_PAGES[0] }))
}
