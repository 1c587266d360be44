import crypto from 'node:crypto'
import Fastify, { type FastifyInstance } from 'fastify'
import { loadSharp } from '../lib/lazy-packages'

/**
 * A local stand-in for WeChat's server API, answering as the real one does (including its error codes).
 * Tests run the real adapter against it; demo mode without a WECHAT_APPID uses it too.
 *
 * Codes: "invalid…" → 40029, "used…" → 40163, "busy…" → -1, "limit…" → 45011, "risky…" → 40226;
 * any other code → an openid derived from the code (so one code always means one user).
 *
 * Content security and subscribe messages (all need an access_token from /cgi-bin/token):
 *  - msg_sec_check: text containing "违禁" or "risky" → suggest risky; containing "secdown" → errcode -1.
 *  - img_sec_check: an image whose dominant colour is pure red → 87014 (risky); else pass.
 *  - subscribeMessage.send: touser starting "fail-busy" → -1 (retryable); "fail-refused" → 43101 (permanent);
 *    anything else → ok. Sent messages are kept in `sent` (decorated on the instance) for inspection.
 */
export function buildFakeWechat(opts: { appId: string; secret: string }): FastifyInstance {
  const app = Fastify({ logger: false })
  app.get('/sns/jscode2session', async (req) => {
    const q = req.query as Record<string, string | undefined>
    if (q.appid !== opts.appId || q.secret !== opts.secret) return { errcode: 40013, errmsg: 'invalid appid' }
    const code = q.js_code ?? ''
    if (!code || code.startsWith('invalid')) return { errcode: 40029, errmsg: 'invalid code' }
    if (code.startsWith('used')) return { errcode: 40163, errmsg: 'code been used' }
    if (code.startsWith('busy')) return { errcode: -1, errmsg: 'system error' }
    if (code.startsWith('limit')) return { errcode: 45011, errmsg: 'api minute-quota reach limit' }
    if (code.startsWith('risky')) return { errcode: 40226, errmsg: 'high risk user' }
    const user = code.includes(':') ? code.split(':')[0] : code
    const openid = 'o' + crypto.createHash('sha256').update(user).digest('base64url').slice(0, 27)
    return { openid, session_key: crypto.randomBytes(16).toString('base64') }
  })

  const tokens = new Set<string>()
  const sent: unknown[] = []
  app.decorate('sent', sent)
  app.get('/cgi-bin/token', async (req) => {
    const q = req.query as Record<string, string | undefined>
    if (q.appid !== opts.appId || q.secret !== opts.secret) return { errcode: 40013, errmsg: 'invalid appid' }
    const t = crypto.randomBytes(16).toString('hex')
    tokens.add(t)
    return { access_token: t, expires_in: 7200 }
  })
  const authed = (req: { query: unknown }) => tokens.has((req.query as Record<string, string>).access_token ?? '')
  app.post('/wxa/msg_sec_check', async (req) => {
    if (!authed(req)) return { errcode: 40001, errmsg: 'invalid credential' }
    const content = String((req.body as { content?: unknown })?.content ?? '')
    if (content.includes('secdown')) return { errcode: -1, errmsg: 'system error' }
    const risky = content.includes('违禁') || content.toLowerCase().includes('risky')
    return { errcode: 0, errmsg: 'ok', result: { suggest: risky ? 'risky' : 'pass', label: risky ? 20001 : 100 } }
  })
  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: 10 * 1024 * 1024 }, (_req, body, done) => done(null, body))
  app.post('/wxa/img_sec_check', async (req) => {
    if (!authed(req)) return { errcode: 40001, errmsg: 'invalid credential' }
    const raw = req.body as Buffer
    const start = raw.indexOf('\r\n\r\n')
    const end = raw.lastIndexOf('\r\n--')
    if (start < 0 || end <= start) return { errcode: 41005, errmsg: 'media data missing' }
    try {
      const { dominant } = await (await loadSharp())(raw.subarray(start + 4, end)).stats()
      if (dominant.r > 200 && dominant.g < 60 && dominant.b < 60) return { errcode: 87014, errmsg: 'risky content' }
    } catch {
      return { errcode: 40006, errmsg: 'invalid media size' }
    }
    return { errcode: 0, errmsg: 'ok' }
  })
  app.post('/cgi-bin/message/subscribe/send', async (req) => {
    if (!authed(req)) return { errcode: 40001, errmsg: 'invalid credential' }
    const body = req.body as { touser?: string; template_id?: string }
    if (!body?.touser || !body.template_id) return { errcode: 47003, errmsg: 'argument invalid' }
    if (body.touser.startsWith('fail-busy')) return { errcode: -1, errmsg: 'system error' }
    if (body.touser.startsWith('fail-refused')) return { errcode: 43101, errmsg: 'user refuse to accept the msg' }
    sent.push(body)
    return { errcode: 0, errmsg: 'ok' }
  })
  return app
}
