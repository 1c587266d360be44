import { apiError, json, mountPage, type MountedPage } from './harness'
import type { WrongAnswerList } from '../../types/quizzes'

const WRONG = 'packages/quizzes/pages/wrong/index'

type Item = WrongAnswerList['items'][number]
const single: Item = {
  question: { id: 101, kind: 'single', stem: '社会主义核心价值观中，国家层面的价值目标不包括哪一项？', options: ['富强', '民主', '自由', '和谐'], tags: ['核心价值观'], difficulty: 1, answer: [2], explanation: '“自由”属于社会层面的价值取向。' },
  revealed: true,
  lastGiven: [0],
  wrongTimes: 2,
  lastWrongAt: '2025-03-01T02:30:00.000Z', // 3月1日 in Shanghai
  correctedSince: false,
}
const multiple: Item = {
  question: { id: 102, kind: 'multiple', stem: '以下哪些属于可回收物？', options: ['废纸', '塑料瓶', '剩饭', '旧衣物'], tags: ['垃圾分类'], difficulty: 2, answer: [0, 1, 3], explanation: '剩饭属于厨余垃圾。' },
  revealed: true,
  lastGiven: [0, 1],
  wrongTimes: 1,
  lastWrongAt: '2025-02-27T16:30:00.000Z', // 2月28日 in Shanghai (00:30)
  correctedSince: true,
}
const older: Item = {
  question: { id: 103, kind: 'judge', stem: '行人可以在绿灯闪烁时加速通过人行横道。', options: ['正确', '错误'], tags: ['文明交通'], difficulty: 1, answer: [1], explanation: '绿灯闪烁时未进入人行横道的行人应停止等待。' },
  revealed: true, // answered once before, left blank the last time
  lastGiven: [],
  wrongTimes: 1,
  lastWrongAt: '2025-02-20T02:00:00.000Z',
  correctedSince: false,
}
/** Only ever left blank: the server keeps its answer (answer [], explanation ''). */
const blank: Item = {
  question: { id: 104, kind: 'single', stem: '文明养犬，出门遛狗应当怎样做？', options: ['束犬链', '放开跑'], tags: ['文明养犬'], difficulty: 1, answer: [], explanation: '' },
  revealed: false,
  lastGiven: [],
  wrongTimes: 1,
  lastWrongAt: '2025-02-21T02:00:00.000Z',
  correctedSince: false,
}

let page: MountedPage | undefined
afterEach(() => page?.unmount())

describe('错题本 wrong answers page (compiled weapp page)', () => {
  it('shows each wrong question with the right answer, the explanation, my last answer and how often I got it wrong', async () => {
    page = await mountPage(WRONG, { signedIn: true, api: { 'GET /quiz/wrong-answers': json(200, { items: [single, multiple], nextCursor: null }) } })
    await page.waitForText('国家层面的价值目标')
    const text = page.text()
    expect(text).toContain('错 2 次 · 3月1日')
    expect(text).toContain('错 1 次 · 2月28日')
    expect(text).toContain('正确答案：C')
    expect(text).toContain('解析：“自由”属于社会层面的价值取向。')
    expect(text).toContain('上次答案：A. 富强')
    expect(text).toContain('正确答案：A、B、D')
    expect(text).toContain('上次答案：A. 废纸；B. 塑料瓶')
    expect(text).toContain('已答对过')
    expect(text).toContain('没有更多了')
    expect(page.findAllByClass('qz-q__opt--right').length).toBe(4) // C, then A B D
    expect(page.findAllByClass('qz-q__opt--wrong').length).toBe(1) // my A on the first
  })

  it('hides the questions I have since answered right, and shows them again', async () => {
    page = await mountPage(WRONG, { signedIn: true, api: { 'GET /quiz/wrong-answers': json(200, { items: [single, multiple], nextCursor: null }) } })
    await page.waitForText('以下哪些属于可回收物')
    await page.tap('只看未掌握的题')
    await page.waitFor(() => !page!.text().includes('以下哪些属于可回收物'), 'the corrected question to go')
    expect(page.text()).toContain('国家层面的价值目标')
    await page.tap('显示全部错题')
    await page.waitForText('以下哪些属于可回收物')
  })

  it('loads the next page with the cursor the server gave, and says when there is no more', async () => {
    page = await mountPage(WRONG, {
      signedIn: true,
      api: {
        'GET /quiz/wrong-answers': (req) =>
          req.query.cursor === 'c2' ? json(200, { items: [older], nextCursor: null }) : json(200, { items: [single, multiple], nextCursor: 'c2' }),
      },
    })
    await page.waitForText('国家层面的价值目标')
    expect(page.text()).not.toContain('没有更多了')
    await page.tap('加载更多')
    await page.waitForText('绿灯闪烁')
    expect(page.requests.filter((r) => r.path === '/quiz/wrong-answers').map((r) => r.query.cursor)).toEqual([undefined, 'c2'])
    expect(page.text()).toContain('上次答案：未作答')
    expect(page.text()).toContain('正确答案：错误') // true/false answers by word, not letter
    await page.waitForText('没有更多了')
  })

  it('a question only ever left blank shows no answer and no explanation, and marks no option', async () => {
    page = await mountPage(WRONG, { signedIn: true, api: { 'GET /quiz/wrong-answers': json(200, { items: [blank], nextCursor: null }) } })
    await page.waitForText('出门遛狗')
    const text = page.text()
    expect(text).toContain('未作答：作答过的题才显示正确答案和解析')
    expect(text).not.toContain('正确答案：')
    expect(text).not.toContain('解析：')
    expect(page.findAllByClass('qz-q__opt--right').length).toBe(0)
  })

  it('has an empty state that leads to the quizzes', async () => {
    page = await mountPage(WRONG, { signedIn: true, api: { 'GET /quiz/wrong-answers': json(200, { items: [], nextCursor: null }) } })
    await page.waitForText('还没有错题')
    await page.tap('去答题')
    expect(page.navigations).toContainEqual({ api: 'redirectTo', url: '/packages/quizzes/pages/index/index' })
  })

  it('says why it could not load, and retries', async () => {
    let calls = 0
    page = await mountPage(WRONG, {
      signedIn: true,
      api: { 'GET /quiz/wrong-answers': () => (++calls === 1 ? apiError(500, 'INTERNAL_ERROR', '服务器开小差了，请稍后再试') : json(200, { items: [single], nextCursor: null })) },
    })
    await page.waitForText('服务器开小差了，请稍后再试')
    await page.tap('重试')
    await page.waitForText('国家层面的价值目标')
  })

  it('sends the signed-out visitor to sign in without asking for the list', async () => {
    page = await mountPage(WRONG, { api: {} })
    await page.waitFor(() => page!.navigations.length > 0, 'a move to sign-in')
    expect(page.navigations[0].url).toContain('/pages/login/index')
    expect(page.requests.some((r) => r.path === '/quiz/wrong-answers')).toBe(false)
  })
})
