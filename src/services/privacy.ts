import Taro from '@tarojs/taro'

/**
 * WeChat's privacy consent (用户隐私保护指引). Until the person agrees, WeChat holds every privacy API call
 * (getLocation, chooseLocation, chooseMedia, chooseMessageFile…) and asks the listener registered here; the
 * PrivacyConsent sheet on the current page shows the request and answers it. A refusal makes the held call fail
 * with "…:fail privacy permission is not authorized"; the next call asks again. H5 has no such gate.
 */

/** The id of the sheet's 同意 button: WeChat checks that this very button (open-type agreePrivacyAuthorization) was tapped. */
export const AGREE_BUTTON_ID = 'cl-privacy-agree'

type Answer = { event: 'agree'; buttonId: string } | { event: 'disagree' } | { event: 'exposureAuthorization' }
type Resolve = (answer: Answer) => void

export interface PrivacyRequest {
  /** The API or component that asked, as WeChat names it (e.g. 'chooseLocation'). */
  referrer: string
}

let held: Resolve[] = []
let request: PrivacyRequest | null = null
const listeners = new Set<(r: PrivacyRequest | null) => void>()
let installed = false

function notify() {
  listeners.forEach((l) => l(request))
}

/** Once, at app start (weapp only). Without it WeChat would show its own generic popup, or none on older bases. */
export function installPrivacyConsent(): void {
  if (process.env.TARO_ENV !== 'weapp' || installed) return
  const on = (Taro as any).onNeedPrivacyAuthorization as undefined | ((l: (resolve: Resolve, info?: { referrer?: string }) => void) => void)
  if (typeof on !== 'function') return // base library before 2.32.3: no privacy gate to answer
  installed = true
  on((resolve, info) => {
    held.push(resolve)
    request = { referrer: info?.referrer ?? '' }
    notify()
  })
}

export function currentPrivacyRequest(): PrivacyRequest | null {
  return request
}

export function subscribePrivacyRequest(listener: (r: PrivacyRequest | null) => void): () => void {
  listeners.add(listener)
  return () => void listeners.delete(listener)
}

/** Tells WeChat the sheet is on screen (its statistics of custom popups). */
export function privacySheetShown(): void {
  held.forEach((resolve) => resolve({ event: 'exposureAuthorization' }))
}

/** The person's answer: every held call goes on (agree) or fails (disagree). */
export function answerPrivacy(agree: boolean): void {
  const waiting = held
  held = []
  request = null
  waiting.forEach((resolve) => resolve(agree ? { event: 'agree', buttonId: AGREE_BUTTON_ID } : { event: 'disagree' }))
  notify()
}

/** The full guide as configured in the admin console, shown by WeChat. */
export function openPrivacyGuide(): Promise<void> {
  return new Promise((resolve, reject) => {
    const open = (Taro as any).openPrivacyContract
    if (typeof open !== 'function') return reject(new Error('openPrivacyContract unavailable'))
    open({ success: () => resolve(), fail: reject })
  })
}

/** True when a failed wx call failed because the person did not agree to the privacy guide. */
export function isPrivacyRefusal(e: unknown): boolean {
  const err = e as { errMsg?: string; errno?: number; message?: string } | null
  return err?.errno === 104 || /privacy permission is not authorized/.test(String(err?.errMsg ?? err?.message ?? ''))
}

export const PRIVACY_REFUSED = '您未同意《用户隐私保护指引》'
