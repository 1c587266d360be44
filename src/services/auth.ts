import Taro from '@tarojs/taro'
import type { LoginResult, SmsSendResult } from '@contract/accounts'
import { api } from './api'
import { clearSession, getToken, setSession } from './session'
import { setElderMode } from './elder'

export const PHONE_PATTERN = /^1[3-9]\d{9}$/
export const CODE_PATTERN = /^\d{6}$/

/** The demo accounts the server seeds in demo mode (DEMO=1). Offered on the sign-in page only once the server has shown it is in demo mode. */
export const DEMO_ACCOUNTS = [
  { label: '演示居民', phone: '13800000001' },
  { label: '演示网格员', phone: '13800000002' },
  { label: '演示创文办', phone: '13800000003' },
] as const

export function sendSmsCode(phone: string): Promise<SmsSendResult> {
  return api.post<SmsSendResult>('/auth/sms/send', { phone }, { auth: false })
}

function signedIn(result: LoginResult): LoginResult {
  setSession(result.token, result.expiresAt)
  setElderMode(result.user.elderMode)
  return result
}

export async function verifySmsCode(phone: string, code: string): Promise<LoginResult> {
  return signedIn(await api.post<LoginResult>('/auth/sms/verify', { phone, code }, { auth: false }))
}

/** 微信一键登录: wx.login's code goes to our server, which exchanges it with WeChat. Weapp only. */
export async function loginWithWechat(): Promise<LoginResult> {
  const { code } = await Taro.login()
  if (!code) throw new Error('微信登录失败，请稍后重试')
  return signedIn(await api.post<LoginResult>('/auth/wechat', { code }, { auth: false }))
}

/** Ends the session on the server (best effort) and forgets it here in any case. */
export async function logout(): Promise<void> {
  if (getToken()) {
    try {
      await api.post('/auth/logout', undefined, { silent: true, redirectOnUnauthorized: false, maxRetries: 0 })
    } catch {
      // the session is dropped locally anyway; an expired one needs no logout
    }
  }
  clearSession()
}
