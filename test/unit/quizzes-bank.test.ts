import { QUESTION_BANK } from '../../server/modules/quizzes/bank'
import { FIRST_EDITION } from '../../server/modules/quizzes/bank/first-edition'
import { tidyQuestion } from '../../server/modules/quizzes/question-rules'
import { checkChoice, sameChoice } from '../../server/modules/quizzes/service'
import { describeResult, guessingReport, type StrategyResult } from '../helpers/guessing'

describe('shipped question bank', () => {
  it('has at least 150 well-formed questions with unique keys and stems', () => {
    expect(QUESTION_BANK.length).toBeGreaterThanOrEqual(150)
    expect(new Set(QUESTION_BANK.map((q) => q.key)).size).toBe(QUESTION_BANK.length)
    expect(new Set(QUESTION_BANK.map((q) => q.stem)).size).toBe(QUESTION_BANK.length)
    for (const q of QUESTION_BANK) {
      expect(q.options.length).toBeGreaterThanOrEqual(2)
      expect(new Set(q.options).size).toBe(q.options.length)
      expect(q.answer.every((a) => a >= 0 && a < q.options.length)).toBe(true)
      if (q.kind === 'multiple') expect(q.answer.length).toBeGreaterThanOrEqual(2)
      else expect(q.answer).toHaveLength(1)
      if (q.kind === 'judge') expect(q.options).toEqual(['正确', '错误'])
      expect(q.explanation.length).toBeGreaterThan(5)
      expect([1, 2, 3]).toContain(q.difficulty)
    }
  })

  it('obeys the rules an import or an edit is checked against, so that the office can edit any of them', () => {
    for (const q of QUESTION_BANK) expect([q.key, tidyQuestion(q)]).toEqual([q.key, { question: { kind: q.kind, stem: q.stem, options: q.options, answer: q.answer, explanation: q.explanation, tags: q.tags, difficulty: q.difficulty } }])
  })

  it('keeps every key it ever shipped, so that databases can follow its corrections', () => {
    const keys = new Set(QUESTION_BANK.map((q) => q.key))
    expect(Object.keys(FIRST_EDITION).filter((k) => !keys.has(k))).toEqual([])
  })

  it('covers every topic with all three kinds overall', () => {
    const byTag = new Map<string, number>()
    for (const q of QUESTION_BANK) for (const t of q.tags) byTag.set(t, (byTag.get(t) ?? 0) + 1)
    for (const t of ['核心价值观', '市民文明公约', '文明交通', '垃圾分类', '文明养犬', '公共卫生', '志愿服务', '文明城市创建']) expect(byTag.get(t)).toBeGreaterThanOrEqual(10)
    expect(new Set(QUESTION_BANK.map((q) => q.kind))).toEqual(new Set(['single', 'multiple', 'judge']))
  })

  it('keeps the facts the issue names', () => {
    const find = (s: string) => QUESTION_BANK.find((q) => q.stem.includes(s))!
    const right = (s: string) => find(s).answer.map((i) => find(s).options[i])
    expect(right('国际志愿者日')).toEqual(['12 月 5 日'])
    expect(right('学雷锋纪念日是每年')).toEqual(['3 月 5 日'])
    expect(right('开展志愿服务应当遵循的原则')).toEqual(['自愿、无偿、平等、诚信、合法'])
    expect(right('全国文明城市的评选周期')).toEqual(['每三年一次'])
    expect(right('门前三包')).toEqual(['包卫生、包秩序、包绿化'])
    expect(right('社会主义核心价值观共有多少个字')).toEqual(['24 个'])
  })
})

describe('shipped question bank against guessing', () => {
  /**
   * A clear margin over blind chance is both: more than 8 percentage points (under one question of a 10-question
   * quiz — enough to move someone across a pass mark), and unlikely to be luck, one-sided p < 0.05 against chance
   * on the same questions. The bank is fixed, so the test is deterministic; the p-value only keeps a strategy that
   * applies to few questions (21 multiple-choice ones) from failing over one or two of them. 0.01 would let 27 of
   * 41 true/false answers be 正确 (p = 0.03), the give-away the bank once had.
   */
  const clearMargin = (r: StrategyResult) => r.rate - r.chance > 0.08 && r.p < 0.05

  it('gives a guesser nothing: no test-taking habit beats blind chance by a clear margin', () => {
    const report = guessingReport(QUESTION_BANK)
    expect(report.filter(clearMargin).map(describeResult)).toEqual([])
  })

  it('flags the habits the issue found (the check can fail)', () => {
    const giveAway = (q: (typeof QUESTION_BANK)[number]) => {
      // the longest option right, at B, true/false 正确, multiple choice all but the shortest
      if (q.kind === 'judge') return { ...q, answer: [0] }
      const byLength = q.options.map((o, i) => [o, i] as const).sort((a, b) => a[0].length - b[0].length)
      if (q.kind === 'single') {
        const options = q.options.filter((o) => o !== byLength.at(-1)![0])
        options.splice(1, 0, byLength.at(-1)![0] + '，并做好相应的记录')
        return { ...q, options, answer: [1] }
      }
      return { ...q, answer: q.options.map((_, i) => i).filter((i) => i !== byLength[0][1]) }
    }
    const flagged = guessingReport(QUESTION_BANK.map(giveAway)).filter(clearMargin).map((r) => r.name)
    expect(flagged).toEqual(expect.arrayContaining(['单选：选最长的', '单选：总选 B', '判断：总选正确', '多选：除最短的都选', '整套题：每种题型用最占便宜的办法']))
  })
})

describe('grading', () => {
  it('compares choices as sets and rejects impossible ones', () => {
    expect(sameChoice([0, 2], [2, 0])).toBe(true)
    expect(sameChoice([0, 2], [0])).toBe(false)
    expect(sameChoice([1], [1, 1])).toBe(false)
    expect(() => checkChoice({ kind: 'single', options: ['a', 'b'] }, [0, 1], 'x')).toThrow()
    expect(() => checkChoice({ kind: 'multiple', options: ['a', 'b'] }, [2], 'x')).toThrow()
    expect(() => checkChoice({ kind: 'multiple', options: ['a', 'b'] }, [1, 1], 'x')).toThrow()
    expect(() => checkChoice({ kind: 'judge', options: ['正确', '错误'] }, [1], 'x')).not.toThrow()
  })
})
