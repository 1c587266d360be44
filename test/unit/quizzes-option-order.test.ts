import { optionOrder, orderScope, shownQuestion, toBank, toShown } from '../../server/modules/quizzes/option-order'
import type { QuestionRow } from '../../server/modules/quizzes/queries'

const KEY = 'k'.repeat(64)
const question = (over: Partial<QuestionRow> = {}): QuestionRow => ({
  id: 7, kind: 'single', stem: '题干', options: ['甲', '乙', '丙', '丁'], answer: [1], explanation: '', tags: ['t'], difficulty: 1, regionCode: null, bankKey: null, ...over,
})

describe('the order of options per attempt', () => {
  it('is a permutation, the same for the same attempt and question, and maps choices both ways', () => {
    const q = question({ kind: 'multiple', options: ['甲', '乙', '丙', '丁', '戊', '己'], answer: [0, 2, 5] })
    const order = optionOrder(KEY, 'attempt:1', q)
    expect([...order].sort()).toEqual([0, 1, 2, 3, 4, 5])
    expect(optionOrder(KEY, 'attempt:1', q)).toEqual(order)
    const shown = shownQuestion(q, order)
    expect(shown.answer.map((p) => shown.options[p]).sort()).toEqual(['丙', '己', '甲'].sort())
    expect(toBank(order, shown.answer)).toEqual(q.answer)
    expect(toShown(order, q.answer)).toEqual(shown.answer)
  })

  it('spreads every option evenly over the positions across attempts, and differs between attempts', () => {
    const q = question()
    const n = 2400
    const at = [0, 1, 2, 3].map(() => [0, 0, 0, 0])
    const perms = new Set<string>()
    let sameAsBank = 0
    for (let a = 1; a <= n; a++) {
      const order = optionOrder(KEY, `attempt:${a}`, q)
      order.forEach((bank, pos) => { at[bank][pos]++ })
      perms.add(order.join(''))
      if (order.join('') === '0123') sameAsBank++
    }
    // each option at each position a quarter of the time (±5 standard deviations of 2400 draws)
    for (const row of at) for (const c of row) expect(Math.abs(c / n - 0.25)).toBeLessThan(0.045)
    expect(perms.size).toBe(24)
    expect(sameAsBank / n).toBeLessThan(0.1)
    // another key, another order
    const other = [1, 2, 3, 4, 5, 6, 7, 8].filter((a) => optionOrder(KEY, `attempt:${a}`, q).join() !== optionOrder('x'.repeat(64), `attempt:${a}`, q).join())
    expect(other.length).toBeGreaterThan(4)
  })

  it('keeps 正确、错误 in place, and gives a live attempt its session’s order', () => {
    expect(optionOrder(KEY, 'attempt:3', question({ kind: 'judge', options: ['正确', '错误'], answer: [0] }))).toEqual([0, 1])
    expect(orderScope({ id: 5, kind: 'live', liveSessionId: 9 })).toBe('live:9')
    expect(orderScope({ id: 5, kind: 'practice', liveSessionId: null })).toBe('attempt:5')
  })
})
