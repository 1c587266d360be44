import { sniffImage } from '../../server/modules/reports/photos'
import { ACTION_RULES as TRANSITIONS, actionApplies, isOpen } from '../../types/report-lifecycle'

describe('sniffImage', () => {
  it('knows formats by their first bytes only', () => {
    expect(sniffImage(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0, 0, 0, 0, 0, 0, 0]))).toBe('jpeg')
    expect(sniffImage(Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(8)]))).toBe('png')
    expect(sniffImage(Buffer.from('RIFF\0\0\0\0WEBPVP8 '))).toBe('webp')
    expect(sniffImage(Buffer.from('\0\0\0\x18ftypheic\0\0\0\0'))).toBe('heic')
    expect(sniffImage(Buffer.from('\0\0\0\x18ftypavif\0\0\0\0'))).toBe('avif')
    expect(sniffImage(Buffer.from('GIF89a......'))).toBeNull()
    expect(sniffImage(Buffer.from('<svg xmlns="'))).toBeNull()
    expect(sniffImage(Buffer.alloc(3))).toBeNull()
  })
})

describe('the report lifecycle', () => {
  it('matches the 台账 diagram', () => {
    expect(TRANSITIONS.accept).toMatchObject({ from: ['submitted'], to: 'accepted' })
    expect(TRANSITIONS.reject).toMatchObject({ from: ['submitted'], to: 'rejected' })
    expect(TRANSITIONS.merge).toMatchObject({ from: ['accepted'], to: 'merged' })
    expect(TRANSITIONS.close).toMatchObject({ from: ['rectified'], to: 'closed' })
    expect(TRANSITIONS.close_not_fixed).toMatchObject({ from: ['rectified'], to: 'closed_not_fixed' })
    expect(TRANSITIONS.reopen.from).toEqual(['closed', 'closed_not_fixed'])
  })

  it('releases only a held report, from any state', () => {
    expect(actionApplies('release', { state: 'closed', held: true })).toBe(true)
    expect(actionApplies('release', { state: 'submitted', held: false })).toBe(false)
    expect(actionApplies('accept', { state: 'submitted', held: true })).toBe(true)
    expect(isOpen('rectified')).toBe(true)
    expect(isOpen('merged')).toBe(false)
  })
})
