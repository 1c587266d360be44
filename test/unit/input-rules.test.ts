import fc from 'fast-check'
import { cursorCodec } from '../../server/lib/cursor'
import { isCalendarDate, parseInstant } from '../../server/lib/dates'
import { malformedTextAt } from '../../server/lib/validation'
import { parseRegionCollection } from '../../server/modules/regions/geojson'

describe('calendar dates and instants', () => {
  it('takes only days that exist, 1970–9999', () => {
    for (const d of ['2024-02-29', '1970-01-01', '9999-12-31', '2026-11-29']) expect([d, isCalendarDate(d)]).toEqual([d, true])
    for (const d of ['2026-02-31', '2023-02-29', '0000-01-01', '1969-12-31', '9999-99-99', '-100000-01-01', '2026-1-1', '2026-00-10', '20260101', ' 2026-01-01']) {
      expect([d, isCalendarDate(d)]).toEqual([d, false])
    }
  })
  it('agrees with the calendar on every day', () => {
    fc.assert(fc.property(fc.date({ min: new Date('1970-01-01'), max: new Date('9999-12-31'), noInvalidDate: true }), (d) => isCalendarDate(d.toISOString().slice(0, 10))))
  })
  it('reads RFC 3339 instants whose date, time and offset exist and that land in 1970–9999', () => {
    expect(parseInstant('2026-11-29T10:00:00.123+08:00')?.toISOString()).toBe('2026-11-29T02:00:00.123Z')
    expect(parseInstant('2026-11-29T10:00:00Z')?.toISOString()).toBe('2026-11-29T10:00:00.000Z')
    for (const s of ['2026-02-31T00:00:00Z', '0000-01-01T00:00:00Z', '9999-12-31T23:00:00-05:00', '2026-01-01T24:00:00Z', '2026-01-01T00:00:60Z',
      '2026-01-01T00:00:00', '2026-01-01T00:00:00+25:00', '+275760-09-13T00:00:00Z', '2026-01-01']) expect([s, parseInstant(s)]).toEqual([s, null])
  })
})

describe('the cursor codec', () => {
  const codec = cursorCodec('instant', 'id')
  it('gives back exactly what it encoded', () => {
    fc.assert(fc.property(
      fc.date({ min: new Date('1970-01-01'), max: new Date('9999-12-31'), noInvalidDate: true }), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
      (at, id) => {
        const [a, b] = codec.decode(codec.encode([at, id]))!
        return a.getTime() === at.getTime() && b === id
      },
    ))
  })
  it('refuses anything it did not produce with CURSOR_INVALID', () => {
    const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url')
    const good = codec.encode([new Date('2026-01-01T00:00:00Z'), 5])
    for (const c of [
      enc(['2026-01-01T00:00:00.000Z', 1e30]), enc(['0000-01-01T00:00:00.000Z', 1]), enc(['2026-02-31T00:00:00.000Z', 1]), enc(['2026-01-01T00:00:00.000Z', 0]),
      enc(['2026-01-01T00:00:00.000Z', 1.5]), enc(['2026-01-01T00:00:00.000Z', '5']), enc(['2026-01-01T00:00:00Z', 5]), enc([5, '2026-01-01T00:00:00.000Z']),
      enc(['2026-01-01T00:00:00.000Z']), enc({}), `${good}=`, `${good}\n`, 'garbage!', '12345', good.slice(0, -1),
    ]) expect(() => codec.decode(c)).toThrow(expect.objectContaining({ status: 400, code: 'CURSOR_INVALID' }))
    expect(codec.decode(undefined)).toBeNull()
    fc.assert(fc.property(fc.string(), (s) => {
      try {
        const v = codec.decode(s)
        return v === null ? s === '' : codec.encode(v) === s
      } catch (err) {
        return (err as { code?: string }).code === 'CURSOR_INVALID'
      }
    }))
  })
})

describe('malformed text', () => {
  it('finds NUL and lone surrogates in values and keys at any depth, and lets the rest through', () => {
    expect(malformedTextAt({ a: ['ok', { b: 'x\u0000' }] })).toBe('a.1.b')
    expect(malformedTextAt({ a: '\ud800' })).toBe('a')
    expect(malformedTextAt({ a: 'x\udc00' })).toBe('a')
    expect(malformedTextAt({ ['k\u0000']: 1 })).toBe('(字段名)')
    expect(malformedTextAt({ a: '😀 文明 \ufffd', n: 1, z: null })).toBeNull()
    let deep: unknown = 'x\u0000'
    for (let i = 0; i < 100_000; i++) deep = [deep]
    expect(malformedTextAt(deep)).toMatch(/^0(\.0)*$/)
  })
})

describe('numbers inside an imported file', () => {
  it('a region population beyond an integer column is a problem of that feature, not a database error', () => {
    const f = (population: number) => ({ type: 'Feature', properties: { code: 'A', name: '甲市', level: 'city', population }, geometry: null })
    expect(parseRegionCollection({ type: 'FeatureCollection', features: [f(3e9)] }, new Map()).problems).toEqual([
      expect.objectContaining({ index: 0, message: expect.stringContaining('人口') }),
    ])
    expect(parseRegionCollection({ type: 'FeatureCollection', features: [f(2_147_483_647)] }, new Map()).problems).toEqual([])
  })
})
