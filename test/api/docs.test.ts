// The API documentation at /docs, made on its first request (server/lib/api-docs.ts) rather than at start.
import { createTestApp, type TestApp } from '../helpers/app'

let t: TestApp

beforeAll(async () => {
  // with the H5 files served (when built), whose catch-all route must not take /docs nor appear in the document
  t = await createTestApp({ seed: false, serveH5: true })
})
afterAll(async () => {
  await t?.close()
})

interface Operation {
  parameters?: Array<{ in: string; name: string }>
  requestBody?: unknown
  responses?: Record<string, unknown>
}
type Doc = { openapi: string; info: { title: string }; components: { securitySchemes: Record<string, unknown> }; security: unknown[]; paths: Record<string, Record<string, Operation>> }

describe('API docs', () => {
  it('/docs/json is the OpenAPI document of every route, made once and then the same', async () => {
    const [a, b] = await Promise.all([t.app.inject({ method: 'GET', url: '/docs/json' }), t.app.inject({ method: 'GET', url: '/docs/json' })])
    expect(a.statusCode).toBe(200)
    expect(a.headers['content-type']).toMatch(/application\/json/)
    expect(b.body).toBe(a.body)
    const doc = a.json() as Doc
    expect(doc.openapi).toMatch(/^3\./)
    expect(doc.info.title).toBe('文明共建 CivicLink API')
    expect(doc.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer' })
    expect(doc.security).toEqual([{ bearer: [] }])
    const paths = Object.keys(doc.paths)
    expect(paths.length).toBeGreaterThan(50)
    expect(paths).toEqual(expect.arrayContaining(['/api/v1/auth/sms/send', '/api/v1/regions/locate', '/api/v1/home', '/open311/v2/services/{file}']))
    // neither the docs pages themselves nor the H5 files
    expect(paths.filter((p) => p.startsWith('/docs') || p === '/*' || p === '/')).toEqual([])
    // the schemas are there: a body, query parameters, answers
    const send = doc.paths['/api/v1/auth/sms/send'].post
    expect(send.requestBody).toBeDefined()
    expect(send.responses).toBeDefined()
    expect(doc.paths['/api/v1/regions/locate'].get.parameters?.map((p) => p.name)).toEqual(expect.arrayContaining(['lng', 'lat']))
  })

  it('serves the Swagger UI page, its files and the YAML form, with the app headers', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/docs' })
    expect(page.statusCode).toBe(200)
    expect(page.headers['content-type']).toMatch(/text\/html/)
    // an old address of the page sends the browser on, without a body
    const moved = await t.app.inject({ method: 'GET', url: '/docs/static/index.html' })
    expect(moved.statusCode).toBe(302)
    expect(moved.headers.location).toBe('/docs/')
    expect(moved.headers['content-type']).toBeUndefined()
    const index = await t.app.inject({ method: 'GET', url: '/docs/' })
    expect(index.statusCode).toBe(200)
    expect(index.headers['content-type']).toMatch(/text\/html/)
    expect(index.body).toContain('swagger')
    // helmet's headers, as on every route of the app
    expect(index.headers['content-security-policy']).toContain("default-src 'self'")
    expect(index.headers['x-content-type-options']).toBe('nosniff')
    const init = await t.app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' })
    expect(init.statusCode).toBe(200)
    expect(init.headers['content-type']).toMatch(/javascript/)
    const bundle = await t.app.inject({ method: 'GET', url: '/docs/static/swagger-ui-bundle.js' })
    expect(bundle.statusCode).toBe(200)
    expect(Number(bundle.headers['content-length'])).toBe(bundle.rawPayload.length)
    const head = await t.app.inject({ method: 'HEAD', url: '/docs/json' })
    expect(head.statusCode).toBe(200)
    const yaml = await t.app.inject({ method: 'GET', url: '/docs/yaml' })
    expect(yaml.statusCode).toBe(200)
    expect(yaml.body).toContain('/api/v1/home:')
  })

  it('an unknown /docs address answers as any unknown route does', async () => {
    for (const url of ['/docs/nothing-here', '/docs/static/nothing.js']) {
      const res = await t.app.inject({ method: 'GET', url })
      expect(res.statusCode).toBe(404)
      expect(res.json().code).toBe('ROUTE_NOT_FOUND')
      expect(res.headers['x-civiclink-docs-not-found']).toBeUndefined()
    }
    const post = await t.app.inject({ method: 'POST', url: '/docs/json', payload: {} })
    expect(post.statusCode).toBe(404)
    expect(post.json().code).toBe('ROUTE_NOT_FOUND')
  })
})
