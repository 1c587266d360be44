import { Agent, request } from 'undici'

/**
 * JSON over HTTP(S) on kept-alive connections, for the WeChat calls made per request (the text check of every 随手拍
 * and survey answer). A call through undici costs about half the CPU of node:http's ClientRequest (measured on this
 * machine: 35–40 vs 72–92 µs per call against a server in another process), and a third of Node's fetch; the text
 * check was most of what a survey submission costs beyond storing it (issue 11).
 */
const dispatcher = new Agent({ keepAliveTimeout: 30_000 })

export class JsonHttpError extends Error {}

export async function requestJson<T>(url: URL | string, init: { method?: 'GET' | 'POST'; body?: unknown; timeoutMs: number }): Promise<T> {
  const target = typeof url === 'string' ? url : url.href
  if (!/^https?:/.test(target)) throw new JsonHttpError(`unsupported protocol ${target.slice(0, target.indexOf(':') + 1)}`)
  const payload = init.body === undefined ? undefined : JSON.stringify(init.body)
  let res: Awaited<ReturnType<typeof request>>
  try {
    res = await request(target, {
      dispatcher,
      method: init.method ?? (payload === undefined ? 'GET' : 'POST'),
      headers: payload === undefined ? undefined : { 'content-type': 'application/json' },
      body: payload,
      // no answer, or an answer that stops coming, within the time: the caller treats WeChat as unavailable
      headersTimeout: init.timeoutMs,
      bodyTimeout: init.timeoutMs,
    })
  } catch (err) {
    throw new JsonHttpError(err instanceof Error ? err.message : String(err))
  }
  const text = await res.body.text()
  try {
    return JSON.parse(text) as T
  } catch {
    throw new JsonHttpError(`not JSON (HTTP ${res.statusCode})`)
  }
}
