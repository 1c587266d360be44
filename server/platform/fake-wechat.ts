import crypto from 'node:crypto'
import Fastify, { type FastifyInstance } from 'fastify'

/**
 * A local stand-in for WeChat's server API, answering as the real one does (including its error codes).
 * Tests run the real adapter against it; demo mode without a WECHAT_APPID uses it too.
 *
 * Codes: "invalid…" → 40029, "used…" → 40163, "busy…" → -1, "limit…" → 45011, "risky…" → 40226;
 * any other code → an openid derived from the code (so one code always means one user).
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
  return app
}
