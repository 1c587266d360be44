import { AppError } from '../errors'
import { requestJson } from './json-http'
import { RecentVerdicts } from './text-verdicts'

export interface WechatSession {
  openid: string
  sessionKey: string
  unionid?: string
}

export interface WechatAdapter {
  /** wx.login code → session (jscode2session). */
  code2session(code: string): Promise<WechatSession>
  /** Text content security (msg_sec_check v2). Throws WECHAT_UNAVAILABLE when the check cannot be made. */
  msgSecCheck?(content: string, openid?: string | null): Promise<SecVerdict>
  /** Image content security (img_sec_check); send a small JPEG (the thumbnail). */
  imgSecCheck?(jpeg: Buffer): Promise<SecVerdict>
  /** Subscribe message (subscribeMessage.send). Throws WechatSendError. */
  sendSubscribe?(msg: SubscribeMessage): Promise<void>
}

export type SecVerdict = 'pass' | 'risky' | 'review'

export interface SubscribeMessage {
  touser: string
  templateId: string
  page?: string
  data: Record<string, { value: string }>
}

/** A failed subscribe-message send; `permanent` when retrying cannot help (user refused, bad template…). */
export class WechatSendError extends Error {
  constructor(readonly errcode: number, message: string, readonly permanent: boolean) {
    super(message)
  }
}

// 43101: the user has not subscribed (or refused); 40003: bad openid; 40037: bad template id; 47003: bad data
const PERMANENT_SEND_ERRORS = new Set([43101, 40003, 40037, 47003])

interface Code2SessionReply {
  openid?: string
  session_key?: string
  unionid?: string
  errcode?: number
  errmsg?: string
}

/** WeChat's error codes for jscode2session, mapped to ours. */
function mapError(errcode: number, errmsg?: string): AppError {
  switch (errcode) {
    case 40029:
    case 40163:
      return new AppError(400, 'WECHAT_CODE_INVALID', '微信登录凭证无效或已使用，请重新登录')
    case 45011:
      return new AppError(429, 'WECHAT_RATE_LIMITED', '登录太频繁，请稍后再试')
    case 40226:
      return new AppError(403, 'WECHAT_RISKY_USER', '微信判定该账号存在风险，暂不能登录')
    default:
      return new AppError(502, 'WECHAT_UNAVAILABLE', `微信服务暂不可用，请稍后再试（${errcode} ${errmsg ?? ''}）`.trim())
  }
}

/** The real platform (or its local fake): the base URL, appid and secret are configuration. */
export function httpWechatAdapter(opts: { baseUrl: string; appId: string; secret: string; timeoutMs?: number }): WechatAdapter {
  let token: { value: string; until: number } | null = null
  const timeoutMs = opts.timeoutMs ?? 5000
  async function accessToken(): Promise<string> {
    if (token && token.until > Date.now()) return token.value
    const url = new URL('/cgi-bin/token', opts.baseUrl)
    url.search = new URLSearchParams({ grant_type: 'client_credential', appid: opts.appId, secret: opts.secret }).toString()
    const body = await requestJson<{ access_token?: string; expires_in?: number; errcode?: number; errmsg?: string }>(url, { timeoutMs })
    if (!body.access_token) throw new AppError(502, 'WECHAT_UNAVAILABLE', `微信服务暂不可用（${body.errcode ?? ''} ${body.errmsg ?? ''}）`.trim())
    // refresh five minutes early
    token = { value: body.access_token, until: Date.now() + Math.max(60, (body.expires_in ?? 7200) - 300) * 1000 }
    return token.value
  }
  /** A JSON body goes on a kept-alive connection; a form (an image) through fetch. */
  async function call<T extends { errcode?: number; errmsg?: string }>(path: string, payload: FormData | object): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const url = `${new URL(path, opts.baseUrl).href}?access_token=${encodeURIComponent(await accessToken())}`
      const body = payload instanceof FormData
        ? ((await (await fetch(url, { method: 'POST', body: payload, signal: AbortSignal.timeout(timeoutMs) })).json()) as T)
        : await requestJson<T>(url, { method: 'POST', body: payload, timeoutMs })
      // 40001/42001: token invalid or expired — fetch a new one once
      if ((body.errcode === 40001 || body.errcode === 42001) && attempt === 0) {
        token = null
        continue
      }
      return body
    }
  }
  async function textVerdict(content: string, openid?: string | null): Promise<SecVerdict> {
    let body: { errcode?: number; errmsg?: string; result?: { suggest?: string } }
    try {
      body = await call('/wxa/msg_sec_check', { content, version: 2, scene: 1, ...(openid ? { openid } : {}) })
    } catch (err) {
      if (err instanceof AppError) throw err
      throw new AppError(502, 'WECHAT_UNAVAILABLE', '无法连接微信服务，请稍后再试')
    }
    if (body.errcode === 87014) return 'risky'
    if (body.errcode) throw new AppError(502, 'WECHAT_UNAVAILABLE', `内容安全检查暂不可用（${body.errcode}）`)
    const s = body.result?.suggest
    return s === 'risky' ? 'risky' : s === 'review' ? 'review' : 'pass'
  }
  const verdicts = new RecentVerdicts<SecVerdict>()
  return {
    msgSecCheck: (content, openid) => verdicts.get(content, () => textVerdict(content, openid)),
    async imgSecCheck(jpeg) {
      let body: { errcode?: number; errmsg?: string }
      try {
        const form = new FormData()
        form.append('media', new Blob([new Uint8Array(jpeg)], { type: 'image/jpeg' }), 'photo.jpg')
        body = await call('/wxa/img_sec_check', form)
      } catch (err) {
        if (err instanceof AppError) throw err
        throw new AppError(502, 'WECHAT_UNAVAILABLE', '无法连接微信服务，请稍后再试')
      }
      if (body.errcode === 87014) return 'risky'
      if (body.errcode) throw new AppError(502, 'WECHAT_UNAVAILABLE', `图片安全检查暂不可用（${body.errcode}）`)
      return 'pass'
    },
    async sendSubscribe(msg) {
      let body: { errcode?: number; errmsg?: string }
      try {
        body = await call('/cgi-bin/message/subscribe/send', {
          touser: msg.touser, template_id: msg.templateId, page: msg.page, data: msg.data, miniprogram_state: 'formal', lang: 'zh_CN',
        })
      } catch (err) {
        throw new WechatSendError(-2, err instanceof Error ? err.message : String(err), false)
      }
      if (body.errcode) throw new WechatSendError(body.errcode, `${body.errcode} ${body.errmsg ?? ''}`.trim(), PERMANENT_SEND_ERRORS.has(body.errcode))
    },
    async code2session(code) {
      const url = new URL('/sns/jscode2session', opts.baseUrl)
      url.search = new URLSearchParams({
        appid: opts.appId,
        secret: opts.secret,
        js_code: code,
        grant_type: 'authorization_code',
      }).toString()
      let body: Code2SessionReply
      try {
        body = await requestJson<Code2SessionReply>(url, { timeoutMs })
      } catch {
        throw new AppError(502, 'WECHAT_UNAVAILABLE', '无法连接微信服务，请稍后再试')
      }
      if (body.errcode) throw mapError(body.errcode, body.errmsg)
      if (!body.openid || !body.session_key) throw new AppError(502, 'WECHAT_UNAVAILABLE', '微信服务返回异常，请稍后再试')
      return { openid: body.openid, sessionKey: body.session_key, unionid: body.unionid }
    },
  }
}
