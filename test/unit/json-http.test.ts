import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { JsonHttpError, requestJson } from '../../server/platform/json-http'

/** The WeChat calls' client: what a caller gets when WeChat answers, hangs, refuses or answers garbage. */
describe('requestJson', () => {
  const sockets = new Set<string>()
  let hanging: http.ServerResponse[] = []
  const server = http.createServer((req, res) => {
    sockets.add(`${req.socket.remotePort}`)
    let body = ''
    req.on('data', (c: Buffer) => (body += c.toString()))
    req.on('end', () => {
      if (req.url?.startsWith('/hang')) return void hanging.push(res)
      if (req.url?.startsWith('/html')) return void res.end('<html>维护中</html>')
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ method: req.method, url: req.url, type: req.headers['content-type'] ?? null, body: body ? JSON.parse(body) : null }))
    })
  })
  let base = ''

  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    for (const res of hanging) res.destroy()
    hanging = []
    server.closeAllConnections()
    await new Promise((r) => server.close(r))
  })

  it('posts a JSON body and reads the JSON answer, on kept-alive connections', async () => {
    sockets.clear()
    for (let i = 0; i < 10; i++) {
      const r = await requestJson<{ method: string; url: string; type: string; body: unknown }>(`${base}/wxa/msg_sec_check?access_token=a%2Bb`, { body: { content: `第 ${i} 条`, version: 2 }, timeoutMs: 5000 })
      expect(r).toEqual({ method: 'POST', url: '/wxa/msg_sec_check?access_token=a%2Bb', type: 'application/json', body: { content: `第 ${i} 条`, version: 2 } })
    }
    // one after the other: a connection or two, reused — not one per call
    expect(sockets.size).toBeLessThanOrEqual(2)
    const g = await requestJson<{ method: string; body: unknown }>(new URL(`${base}/sns/jscode2session?js_code=x`), { timeoutMs: 5000 })
    expect(g).toMatchObject({ method: 'GET', body: null })
  })

  it('gives up on a server that does not answer within the time', async () => {
    const t0 = Date.now()
    await expect(requestJson(`${base}/hang`, { body: {}, timeoutMs: 300 })).rejects.toBeInstanceOf(JsonHttpError)
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250)
  })

  it('reports an answer that is not JSON, a refused connection and an unsupported protocol as JsonHttpError', async () => {
    await expect(requestJson(`${base}/html`, { timeoutMs: 5000 })).rejects.toThrow(/not JSON \(HTTP 200\)/)
    const closed = http.createServer()
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r))
    const port = (closed.address() as AddressInfo).port
    await new Promise((r) => closed.close(r))
    await expect(requestJson(`http://127.0.0.1:${port}/x`, { timeoutMs: 5000 })).rejects.toBeInstanceOf(JsonHttpError)
    await expect(requestJson('ftp://127.0.0.1/x', { timeoutMs: 5000 })).rejects.toThrow(/unsupported protocol ftp:/)
  })
})
