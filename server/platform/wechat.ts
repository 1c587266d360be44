import { AppError } from '../errors'

export interface WechatSession {
  openid: string
  sessionKey: string
  unionid?: string
}

export interface WechatAdapter {
  /** wx.login code → session (jscode2session). */
  code2session(code: string): Promise<WechatSession>
}

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
  return {
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
        const res = await fetch(url, { signal: AbortSignal.timeout(opts.timeoutMs ?? 5000) })
        body = (await res.json()) as Code2SessionReply
      } catch {
        throw new AppError(502, 'WECHAT_UNAVAILABLE', '无法连接微信服务，请稍后再试')
      }
      if (body.errcode) throw mapError(body.errcode, body.errmsg)
      if (!body.openid || !body.session_key) throw new AppError(502, 'WECHAT_UNAVAILABLE', '微信服务返回异常，请稍后再试')
      return { openid: body.openid, sessionKey: body.session_key, unionid: body.unionid }
    },
  }
}
