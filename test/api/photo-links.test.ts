import { DEMO_ACCOUNTS } from '../helpers/app'
import { signPhoto } from '../../server/modules/reports/photos'
import { reportsApp, submit, upload } from './reports-helpers'

// Photos (of people, of number plates) are served only through links signed for one photo, that expire; the links
// are in the answers of those who may see the report.
let t: Awaited<ReturnType<typeof reportsApp>>
let resident: string
let other: string

beforeAll(async () => {
  t = await reportsApp({ photoLinks: { secret: 'test-secret-of-this-server', ttlSeconds: 600 } })
  resident = await t.login(DEMO_ACCOUNTS.resident.phone)
  other = await t.login('13900000301')
}, 60_000)
afterAll(() => t.close())

const get = (url: string) => t.app.inject({ method: 'GET', url })
const fail = async (url: string) => {
  const res = await get(url)
  return [res.statusCode, res.json().code]
}

describe('signed photo links', () => {
  it('the links handed out work without credentials, for a while, and say so in Cache-Control', async () => {
    const p = (await upload(t, resident)).json()
    expect(p.url).toMatch(new RegExp(`^/api/v1/photos/${p.id}\\?exp=\\d+&sig=[\\w-]+$`))
    for (const u of [p.url, p.thumbUrl]) {
      const res = await get(u)
      expect([res.statusCode, res.headers['content-type']]).toEqual([200, 'image/jpeg'])
      const maxAge = Number(/max-age=(\d+)/.exec(String(res.headers['cache-control']))![1])
      expect(maxAge).toBeGreaterThanOrEqual(590)
      expect(maxAge).toBeLessThanOrEqual(800) // the lifetime plus at most a third of it (rounding that keeps URLs stable)
    }
  })

  it('refuses a bare, expired, forged or tampered link, and one signed for another photo', async () => {
    const a = (await upload(t, resident)).json()
    const b = (await upload(t, resident)).json()
    const qOf = (u: string) => u.slice(u.indexOf('?') + 1)
    expect(await fail(`/api/v1/photos/${a.id}`)).toEqual([403, 'PHOTO_LINK_INVALID'])
    expect(await fail(`/api/v1/photos/${a.id}/thumb`)).toEqual([403, 'PHOTO_LINK_INVALID'])
    // b's signature on a
    expect(await fail(`/api/v1/photos/${a.id}?${qOf(b.url)}`)).toEqual([403, 'PHOTO_LINK_INVALID'])
    expect(await fail(`/api/v1/photos/${a.id}/thumb?${qOf(b.thumbUrl)}`)).toEqual([403, 'PHOTO_LINK_INVALID'])
    // a later expiry with the old signature
    const [exp, sig] = qOf(a.url).split('&').map((x: string) => x.split('=')[1])
    expect(await fail(`/api/v1/photos/${a.id}?exp=${Number(exp) + 86400}&sig=${sig}`)).toEqual([403, 'PHOTO_LINK_INVALID'])
    // signed with another secret
    const forged = signPhoto({ secret: 'guessed', ttlSeconds: 600 }, a.id)
    expect(await fail(`/api/v1/photos/${a.id}?${forged}`)).toEqual([403, 'PHOTO_LINK_INVALID'])
    expect(await fail(`/api/v1/photos/${a.id}?exp=abc&sig=${sig}`)).toEqual([403, 'PHOTO_LINK_INVALID'])
    // a genuine link whose time is up
    const old = signPhoto(t.ctx.config.photoLinks, a.id, Date.now() - 2 * 3600_000)
    expect(await fail(`/api/v1/photos/${a.id}?${old}`)).toEqual([403, 'PHOTO_LINK_EXPIRED'])
    // a genuine link to a photo that is gone
    const ghost = 'AAAAAAAAAAAAAAAAAAAAAA'
    expect(await fail(`/api/v1/photos/${ghost}?${signPhoto(t.ctx.config.photoLinks, ghost)}`)).toEqual([404, 'PHOTO_NOT_FOUND'])
  })

  it('a held report\'s photos are linked only for those who may see it; public reports link theirs for any signed-in resident', async () => {
    const held = (await submit(t, resident, { description: '违禁内容' })).json()
    expect(held.held).toBe(true)
    const mine = (await t.as(resident, { method: 'GET', url: `/api/v1/reports/${held.id}` })).json()
    expect((await get(mine.photos[0].url)).statusCode).toBe(200)
    expect((await t.as(other, { method: 'GET', url: `/api/v1/reports/${held.id}` })).statusCode).toBe(404)
    const feed = (await t.as(other, { method: 'GET', url: '/api/v1/reports' })).json().items
    expect(feed.some((r: { id: number }) => r.id === held.id)).toBe(false)
    const pub = (await submit(t, resident)).json()
    const item = (await t.as(other, { method: 'GET', url: '/api/v1/reports' })).json().items.find((r: { id: number }) => r.id === pub.id)
    expect((await get(item.thumbUrl)).statusCode).toBe(200)
  })
})
