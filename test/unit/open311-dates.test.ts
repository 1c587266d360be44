import { Open311Error, parseW3cDate } from '../../server/modules/reports/open311-service'

// Open311 dates are W3C date-times, checked as real dates (nothing rolls over into the next month).
describe('parseW3cDate', () => {
  it('reads the forms clients send', () => {
    expect(parseW3cDate('d', '2026-11-29T07:23:43Z').toISOString()).toBe('2026-11-29T07:23:43.000Z')
    expect(parseW3cDate('d', '2026-11-29T15:23:43+08:00').toISOString()).toBe('2026-11-29T07:23:43.000Z')
    expect(parseW3cDate('d', '2026-11-29T02:23:43.5-05:00').toISOString()).toBe('2026-11-29T07:23:43.500Z')
    expect(parseW3cDate('d', '2026-11-29T07:23Z').toISOString()).toBe('2026-11-29T07:23:00.000Z')
    expect(parseW3cDate('d', '2024-02-29').toISOString()).toBe('2024-02-28T16:00:00.000Z') // a day is a day in Asia/Shanghai
    expect(parseW3cDate('d', '2024-02-29', true).toISOString()).toBe('2024-02-29T15:59:59.999Z') // as an end: the whole day
    expect(parseW3cDate('d', '0001-01-01T00:00:00Z').getUTCFullYear()).toBe(1)
  })

  it('refuses what is not a real date or time', () => {
    for (const bad of ['2023-02-29', '2026-02-31', '2026-04-31', '0000-01-01', '9999-99-99', '-100000-01-01', '2026-00-10', '2026-01-01T24:00:00Z',
      '2026-01-01T23:60:00Z', '2026-01-01T23:59:60Z', '2026-01-01T10:00:00', '2026-01-01T10:00:00+15:00', '2026-01-01T10:00:00+08:60', '20260101', ' 2026-01-01', '']) {
      expect(() => parseW3cDate('start_date', bad)).toThrow(Open311Error)
    }
  })
})
