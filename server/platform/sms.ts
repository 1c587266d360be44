import { AppError } from '../errors'

export interface SmsAdapter {
  /** Whether codes are shown on the sign-in page instead of being sent (DEMO=1 only). */
  readonly demo: boolean
  sendCode(phone: string, code: string): Promise<void>
}

/** Demo mode: nothing is sent; the API returns the code so that the sign-in page can show it, marked as demo. */
export function demoSms(): SmsAdapter {
  return { demo: true, async sendCode() {} }
}

/** A JSON POST to the SMS gateway the city uses: { phone, template: 'login_code', params: { code } }. */
export function httpSms(url: string, token?: string): SmsAdapter {
  return {
    demo: false,
    async sendCode(phone, code) {
      let ok: boolean
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify({ phone, template: 'login_code', params: { code } }),
          signal: AbortSignal.timeout(5000),
        })
        ok = res.ok
      } catch {
        ok = false
      }
      if (!ok) throw new AppError(502, 'SMS_SEND_FAILED', '验证码短信发送失败，请稍后再试')
    },
  }
}

/** Without a gateway and outside demo mode there is no way to receive a code. */
export function unavailableSms(): SmsAdapter {
  return {
    demo: false,
    async sendCode() {
      throw new AppError(503, 'SMS_UNAVAILABLE', '短信服务未配置，暂不能用手机号登录')
    },
  }
}
