import { apiError, json, mountPage, type MountedPage } from './harness'
import type { AttemptResult, AttemptStarted } from '../../types/quizzes'

const ANSWER = 'packages/quizzes/pages/answer/index'
const RESULT = 'packages/quizzes/pages/result/index'

/** The server's clock is deliberately an hour ahead of this machine's: countdowns must follow the server. */
const SKEW_MS = 60 * 60 * 1000
const serverNow = () => new Date(Date.now() + SKEW_MS)

function attempt(secondsLeft = 600): AttemptStarted {
  const now = serverNow()
  return {
    id: 41,
    kind: 'campaign',
    campaignId: 7,
    attemptNo: 1,
    status: 'in_progress',
    startedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + secondsLeft * 1000).toISOString(),
    serverNow: now.toISOString(),
    questions: [
      { id: 101, kind: 'single', stem: '社会主义核心价值观中，国家层面的价值目标不包括哪一项？', options: ['富强', '民主', '自由', '和谐'], tags: ['核心价值观'], difficulty: 1 },
      { id: 102, kind: 'multiple', stem: '以下哪些属于可回收物？', options: ['废纸', '塑料瓶', '剩饭', '旧衣物'], tags: ['垃圾分类'], difficulty: 2 },
      { id: 103, kind: 'judge', stem: '行人可以在绿灯闪烁时加速通过人行横道。', options: ['正确', '错误'], tags: ['文明交通'], difficulty: 1 },
    ],
  }
}

const EXPLANATIONS = ['“自由”属于社会层面的价值取向。', '剩饭属于厨余垃圾。', '绿灯闪烁时未进入人行横道的行人应停止等待。']

function result(): AttemptResult {
  const a = attempt()
  const answers = [[2], [0, 1, 3], [1]]
  const given = [[2], [0, 1], [1]]
  return {
    id: 41,
    kind: 'campaign',
    campaignId: 7,
    attemptNo: 1,
    status: 'submitted',
    startedAt: a.startedAt,
    submittedAt: a.serverNow,
    correctCount: 2,
    total: 3,
    score: 67,
    passed: true,
    passScore: 60,
    points: 10,
    questions: a.questions.map((q, i) => ({ ...q, answer: answers[i], explanation: EXPLANATIONS[i], given: given[i], correct: i !== 1, revealed: true })),
  }
}

let page: MountedPage | undefined
afterEach(() => page?.unmount())

describe('答题 answering page (compiled weapp page)', () => {
  it('renders one question at a time from the attempt, sends the chosen answers on 交卷 and goes to the result', async () => {
    page = await mountPage(ANSWER, {
      signedIn: true,
      query: { id: '41' },
      api: { 'GET /quiz/attempts/:id': json(200, attempt()), 'POST /quiz/attempts/:id/submit': json(200, result()) },
    })
    await page.waitForText('国家层面的价值目标')
    let text = page.text()
    expect(text).toContain('第 1/3 题')
    expect(text).toContain('单选题')
    for (const o of ['A. 富强', 'B. 民主', 'C. 自由', 'D. 和谐']) expect(text).toContain(o)
    // the countdown runs on the server's clock (an hour ahead of ours): ~10 minutes left, not 70 or 0
    expect(text).toMatch(/剩余 (10:0[01]|09:5\d)/)
    expect(text).not.toContain('可回收物') // one question at a time

    await page.tap('C. 自由')
    await page.tap('下一题')
    await page.waitForText('以下哪些属于可回收物')
    expect(page.text()).toContain('第 2/3 题')
    expect(page.text()).toContain('多选题')
    await page.tap('A. 废纸')
    await page.tap('B. 塑料瓶')
    await page.tap('下一题')
    await page.waitForText('绿灯闪烁')
    expect(page.text()).toContain('判断题')
    await page.tap('错误')

    // nothing on this page carries an explanation or the right answers
    text = page.text()
    for (const e of EXPLANATIONS) expect(text).not.toContain(e)
    expect(text).not.toContain('正确答案')

    await page.tap('交卷')
    const req = await page.waitForRequest('POST /quiz/attempts/41/submit')
    expect(req.data).toEqual({
      answers: [
        { questionId: 101, choice: [2] },
        { questionId: 102, choice: [0, 1] },
        { questionId: 103, choice: [1] },
      ],
    })
    expect(req.header['Idempotency-Key']).toBeTruthy()
    expect(page.modals[0]?.title).toBe('确认交卷')
    await page.waitFor(() => page!.navigations.length > 0, 'the move to the result')
    expect(page.navigations[0]).toEqual({ api: 'redirectTo', url: '/packages/quizzes/pages/result/index?id=41' })
  })

  it('only sends answered questions (unanswered count as wrong on the server) and warns before 交卷', async () => {
    page = await mountPage(ANSWER, {
      signedIn: true,
      query: { id: '41' },
      api: { 'GET /quiz/attempts/:id': json(200, attempt()), 'POST /quiz/attempts/:id/submit': json(200, result()) },
    })
    await page.tap('B. 民主')
    await page.tap('提前交卷')
    const req = await page.waitForRequest('POST /quiz/attempts/41/submit')
    expect(req.data).toEqual({ answers: [{ questionId: 101, choice: [1] }] })
    expect(page.modals[0]?.content).toContain('还有 2 题未作答')
  })

  it('shows ATTEMPT_EXPIRED clearly when the server refuses a late answer sheet', async () => {
    page = await mountPage(ANSWER, {
      signedIn: true,
      query: { id: '41' },
      api: {
        'GET /quiz/attempts/:id': json(200, attempt()),
        'POST /quiz/attempts/:id/submit': apiError(409, 'ATTEMPT_EXPIRED', '答题已超时'),
      },
    })
    await page.tap('A. 富强')
    await page.tap('提前交卷')
    await page.waitForText('答题时间已到，本次作答未能提交')
    expect(page.text()).toContain('ATTEMPT_EXPIRED')
    expect(page.text()).not.toContain('国家层面的价值目标')
    await page.tap('查看本次结果')
    expect(page.navigations).toContainEqual({ api: 'redirectTo', url: '/packages/quizzes/pages/result/index?id=41' })
  })

  it('submits by itself when the server-side time runs out', async () => {
    page = await mountPage(ANSWER, {
      signedIn: true,
      query: { id: '41' },
      api: { 'GET /quiz/attempts/:id': json(200, attempt(3)), 'POST /quiz/attempts/:id/submit': json(200, result()) },
    })
    await page.tap('D. 和谐')
    const req = await page.waitForRequest('POST /quiz/attempts/41/submit', 5000)
    expect(req.data).toEqual({ answers: [{ questionId: 101, choice: [3] }] })
    expect(page.modals).toHaveLength(0) // no confirmation when time is up
    await page.waitFor(() => page!.toasts.includes('时间到，已自动交卷'), 'the auto-submit toast')
  })

  it('goes to the result when the attempt was already submitted', async () => {
    page = await mountPage(ANSWER, { signedIn: true, query: { id: '41' }, api: { 'GET /quiz/attempts/:id': json(200, result()) } })
    await page.waitFor(() => page!.navigations.length > 0, 'a redirect')
    expect(page.navigations[0]).toEqual({ api: 'redirectTo', url: '/packages/quizzes/pages/result/index?id=41' })
    for (const e of EXPLANATIONS) expect(page.text()).not.toContain(e)
  })
})

describe('答题结果 result page (compiled weapp page)', () => {
  it('shows the score, pass, the right answers and the explanations of a submitted attempt', async () => {
    page = await mountPage(RESULT, { signedIn: true, query: { id: '41' }, api: { 'GET /quiz/attempts/:id': json(200, result()) } })
    await page.waitForText('67')
    const text = page.text()
    expect(text).toContain('恭喜，通过！')
    expect(text).toContain('答对 2/3 题')
    expect(text).toContain('积分 +10')
    for (const e of EXPLANATIONS) expect(text).toContain(e)
    expect(text).toContain('正确答案：A、B、D')
    expect(text).toContain('我的答案：A. 废纸；B. 塑料瓶')
    expect(text).toContain('错 1 题')
  })

  it('shows a live quiz’s result as a result, not a practice and not a pass or fail', async () => {
    const live = { ...result(), kind: 'live' as const, campaignId: null, passed: null, passScore: null, points: 4 }
    page = await mountPage(RESULT, { signedIn: true, query: { id: '41' }, api: { 'GET /quiz/attempts/:id': json(200, live) } })
    await page.waitForText('现场答题成绩')
    const text = page.text()
    expect(text).toContain('答对 2/3 题 · 积分 +4')
    expect(text).not.toContain('及格')
    expect(text).not.toContain('练习完成')
  })

  it('has nothing to show for an attempt still in progress: back to answering, no explanation', async () => {
    page = await mountPage(RESULT, { signedIn: true, query: { id: '41' }, api: { 'GET /quiz/attempts/:id': json(200, attempt()) } })
    await page.waitFor(() => page!.navigations.length > 0, 'a redirect')
    expect(page.navigations[0]).toEqual({ api: 'redirectTo', url: '/packages/quizzes/pages/answer/index?id=41' })
    expect(page.text()).not.toContain('正确答案')
    expect(page.text()).not.toContain('解析')
  })
})
