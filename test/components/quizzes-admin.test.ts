import { apiError, inputValue, json, mountPage, type MountedPage } from './harness'
import type { QuestionBankItem } from '../../types/quizzes'

const ADMIN = 'packages/quizzes/pages/admin/index'

const mine: QuestionBankItem = {
  id: 501, kind: 'single', stem: '本社区的垃圾投放点开放时间是？', options: ['早 7 点到 9 点', '全天', '晚上'], answer: [0],
  explanation: '以社区公告为准', tags: ['垃圾分类', '社区'], difficulty: 1, regionCode: '329901001001', bankKey: null, active: true, editable: true,
}
const city: QuestionBankItem = {
  id: 7, kind: 'judge', stem: '文明养犬应当为犬只束犬链。', options: ['正确', '错误'], answer: [0],
  explanation: '出户遛犬应束犬链，由成年人牵领。', tags: ['文明养犬'], difficulty: 1, regionCode: null, bankKey: 'dog-001', active: true, editable: false,
}
const tags = { items: [{ tag: '垃圾分类', total: 21, byDifficulty: { '1': 10, '2': 8, '3': 3 } }, { tag: '文明养犬', total: 18, byDifficulty: { '1': 9, '2': 9 } }] }

function routes(over: Record<string, unknown> = {}) {
  return {
    'GET /quiz/admin/campaigns': json(200, { items: [] }),
    'GET /quiz/tags': json(200, tags),
    'GET /quiz/questions': (req: { query: Record<string, string> }) =>
      json(200, { items: req.query.status === 'retired' ? [{ ...mine, id: 502, stem: '已停用的旧题', active: false }] : [mine, city], nextCursor: null }),
    ...over,
  }
}

let page: MountedPage | undefined
afterEach(() => page?.unmount())

describe('组织答题 admin page: the question bank (compiled weapp page)', () => {
  it('lists the questions in use with kind, difficulty, answer and tags; the city bank’s open read-only', async () => {
    page = await mountPage(ADMIN, { signedIn: true, api: routes() as never })
    await page.waitForText('本社区的垃圾投放点开放时间是？')
    const text = page.text()
    expect(text).toContain('单选题 · 易 · 答案 A · 垃圾分类、社区')
    expect(text).toContain('判断题 · 易 · 答案 正确 · 文明养犬 · 市级题库')
    expect(text).toContain('修改 ›')
    expect(text).toContain('查看 ›')
    expect(page.requests.find((r) => r.path === '/quiz/questions')!.query).toEqual({ status: 'active' })
    await page.tap('文明养犬应当为犬只束犬链。')
    await page.waitForText('市级题库的题目，只有创文办可以修改。')
    expect(page.text()).not.toContain('保存修改')
  })

  it('edits a question in place and sends only what changed', async () => {
    // the tag 社区 leaves a running campaign short of it: said after saving
    const shortages = [{ campaignId: 9, campaignTitle: '垃圾分类月', tag: '社区', available: 2, needed: 3 }]
    const saved = { ...mine, stem: '本社区垃圾投放点几点开放？', tags: ['垃圾分类'], explanation: '以社区公告为准', shortages }
    page = await mountPage(ADMIN, { signedIn: true, api: routes({ 'PATCH /quiz/questions/:id': json(200, saved) }) as never })
    await page.tap('本社区的垃圾投放点开放时间是？')
    await page.waitForText('保存修改')
    expect(inputValue(page, '题干')).toBe(mine.stem)
    expect(inputValue(page, '选项C')).toBe('晚上')
    expect(inputValue(page, '标签，用逗号分隔')).toBe('垃圾分类，社区')
    await page.input('题干', '本社区垃圾投放点几点开放？')
    await page.input('标签，用逗号分隔', '垃圾分类')
    const tagsBefore = page.requests.filter((r) => r.path === '/quiz/tags').length
    await page.tap('保存修改')
    const req = await page.waitForRequest('PATCH /quiz/questions/501')
    expect(req.data).toEqual({ stem: '本社区垃圾投放点几点开放？', tags: ['垃圾分类'] })
    await page.waitForText('本社区垃圾投放点几点开放？')
    await page.waitFor(() => !page!.text().includes('保存修改'), 'the editor to close')
    await page.waitFor(() => page!.modals.length === 1, 'the shortage')
    expect(page.toasts).not.toContain('已保存') // the modal says so
    expect(page.modals[0]).toEqual({ title: '已保存，有活动题目不足', content: '「垃圾分类月」的“社区”题只剩 2 道（需要 3 道），不足的将用其他题补上。\n请补充题目，或恢复原来的题。' })
    // counts by tag may have moved
    await page.waitFor(() => page!.requests.filter((r) => r.path === '/quiz/tags').length > tagsBefore, 'the tags to reload')
  })

  it('shows the server’s reason when an edit is refused, and keeps the form', async () => {
    page = await mountPage(ADMIN, {
      signedIn: true,
      api: routes({ 'PATCH /quiz/questions/:id': apiError(409, 'QUESTION_IN_USE', '有居民正在作答这道题，现在不能修改选项；题干、答案、解析等可以修改，选项请稍后再改') }) as never,
    })
    await page.tap('本社区的垃圾投放点开放时间是？')
    await page.input('选项C', '晚上 6 点到 8 点')
    await page.tap('保存修改')
    const req = await page.waitForRequest('PATCH /quiz/questions/501')
    expect(req.data).toEqual({ options: ['早 7 点到 9 点', '全天', '晚上 6 点到 8 点'] })
    await page.waitForText('有居民正在作答这道题')
    expect(inputValue(page, '选项C')).toBe('晚上 6 点到 8 点')
  })

  it('says when nothing was changed, without asking the server', async () => {
    page = await mountPage(ADMIN, { signedIn: true, api: routes() as never })
    await page.tap('本社区的垃圾投放点开放时间是？')
    await page.tap('保存修改')
    await page.waitForText('没有改动')
    expect(page.requests.some((r) => r.method === 'PATCH')).toBe(false)
  })

  it('retires a question after confirming: it leaves the list; the retired list can restore it', async () => {
    page = await mountPage(ADMIN, {
      signedIn: true,
      api: routes({
        'POST /quiz/questions/:id/retire': json(200, { ...mine, active: false, shortages: [] }),
        'POST /quiz/questions/:id/restore': json(200, { ...mine, id: 502, stem: '已停用的旧题', active: true, shortages: [] }),
      }) as never,
    })
    await page.tap('本社区的垃圾投放点开放时间是？')
    await page.tap('停用此题')
    await page.waitForRequest('POST /quiz/questions/501/retire')
    expect(page.modals[0]?.title).toBe('停用这道题')
    expect(page.modals[0]?.content).toContain('已答过的记录和错题本照常显示')
    await page.waitFor(() => !page!.text().includes('本社区的垃圾投放点开放时间是？'), 'the question to leave the list')
    expect(page.toasts).toContain('已停用')

    await page.tap('已停用的题')
    await page.waitForText('已停用的旧题')
    expect(page.requests.filter((r) => r.path === '/quiz/questions').map((r) => r.query.status)).toEqual(['active', 'retired'])
    await page.tap('已停用的旧题')
    await page.tap('恢复此题')
    await page.waitForRequest('POST /quiz/questions/502/restore')
    await page.waitForText('没有停用的题')
    expect(page.toasts).toContain('已恢复')
  })

  it('says which running campaigns a retirement leaves short, and restores the question when asked', async () => {
    const shortages = [
      { campaignId: 9, campaignTitle: '垃圾分类月', tag: '垃圾分类', available: 4, needed: 5 },
      { campaignId: 9, campaignTitle: '垃圾分类月', tag: null, available: 4, needed: 5 },
    ]
    page = await mountPage(ADMIN, {
      signedIn: true,
      api: routes({
        'POST /quiz/questions/:id/retire': json(200, { ...mine, active: false, shortages }),
        'POST /quiz/questions/:id/restore': json(200, { ...mine, active: true, shortages: [] }),
      }) as never,
    })
    await page.tap('本社区的垃圾投放点开放时间是？')
    await page.tap('停用此题')
    await page.waitForRequest('POST /quiz/questions/501/retire')
    await page.waitFor(() => page!.modals.length === 2, 'the shortage')
    expect(page.modals[1]).toEqual({
      title: '已停用，有活动题目不足',
      content: '「垃圾分类月」的“垃圾分类”题只剩 4 道（需要 5 道），不足的将用其他题补上。\n「垃圾分类月」可抽的题只剩 4 道，每次答题需要 5 道：居民暂时无法开始答题。\n请补充题目，或恢复原来的题。',
    })
    await page.waitForRequest('POST /quiz/questions/501/restore') // the modal answered 恢复此题
    await page.waitFor(() => page!.toasts.includes('已恢复'), 'restored')
    await page.waitForText('本社区的垃圾投放点开放时间是？') // back in the list in use
  })

  it('leaves a retired question retired when the worker only takes note of the shortage', async () => {
    let confirmations = 0
    page = await mountPage(ADMIN, {
      signedIn: true,
      // confirms the retirement, then answers 知道了
      wx: {
        showModal: (o: any) => {
          const r = { errMsg: 'showModal:ok', confirm: ++confirmations === 1, cancel: confirmations > 1 }
          setTimeout(() => (o.success?.(r), o.complete?.(r)))
        },
      },
      api: routes({
        'POST /quiz/questions/:id/retire': json(200, { ...mine, active: false, shortages: [{ campaignId: 9, campaignTitle: '垃圾分类月', tag: null, available: 4, needed: 5 }] }),
      }) as never,
    })
    await page.tap('本社区的垃圾投放点开放时间是？')
    await page.tap('停用此题')
    await page.waitForRequest('POST /quiz/questions/501/retire')
    await page.waitFor(() => confirmations === 2, 'the shortage')
    await page.waitFor(() => !page!.text().includes('本社区的垃圾投放点开放时间是？'), 'the question to leave the list')
    await new Promise((r) => setTimeout(r, 100))
    expect(page.requests.some((r) => r.path.endsWith('/restore'))).toBe(false)
  })

  it('does not retire when the worker thinks better of it', async () => {
    page = await mountPage(ADMIN, { signedIn: true, modalConfirm: false, api: routes() as never })
    await page.tap('本社区的垃圾投放点开放时间是？')
    await page.tap('停用此题')
    await page.waitFor(() => page!.modals.length === 1, 'the question')
    await new Promise((r) => setTimeout(r, 100))
    expect(page.requests.some((r) => r.method === 'POST')).toBe(false)
  })

  it('after an import, says how many were added and lists the duplicates skipped by row', async () => {
    const result = {
      imported: 1,
      regionCode: '329901001001',
      skipped: [
        { row: 2, questionId: 501, sameAsRow: null, message: '第 2 行：题库中已有这道题（编号 501），未重复导入' },
        { row: 4, questionId: null, sameAsRow: 3, message: '第 4 行：与第 3 行是同一道题，未重复导入' },
      ],
    }
    page = await mountPage(ADMIN, {
      signedIn: true,
      wx: {
        // as WeChat does (Taro passes this one through): a promise when no callback is given
        chooseMessageFile: (o: any) => {
          const res = { errMsg: 'chooseMessageFile:ok', tempFiles: [{ path: 'wxfile://题库.xlsx', name: '题库.xlsx' }] }
          if (!o?.success) return Promise.resolve(res)
          setTimeout(() => o.success(res))
          return undefined
        },
        getFileSystemManager: () => ({ readFileSync: () => new ArrayBuffer(8) }),
      },
      api: routes({ 'POST /quiz/questions/import': json(200, result) }) as never,
    })
    await page.waitForText('导入题目（Excel）')
    await page.tap('导入题目（Excel）')
    await page.waitForRequest('POST /quiz/questions/import')
    await page.waitFor(() => page!.modals.length === 1, 'the summary')
    expect(page.modals[0]).toEqual({ title: '导入完成', content: '新增 1 道题；2 道题库中已有或文件中重复，已跳过（行号见页面“上次导入”）。' })
    await page.waitForText('上次导入：新增 1 道，跳过重复 2 道')
    expect(page.text()).toContain('第 2 行题库中已有这道题（编号 501），未重复导入')
    expect(page.text()).toContain('第 4 行与第 3 行是同一道题，未重复导入')
  })

  it('filters the questions by a tag tapped in the counts', async () => {
    page = await mountPage(ADMIN, { signedIn: true, api: routes() as never })
    await page.waitForText('21 题 ›')
    await page.tap('21 题 ›')
    await page.waitFor(() => page!.requests.some((r) => r.path === '/quiz/questions' && r.query.tag === '垃圾分类'), 'a request for the tag')
    await page.waitForText('题目：垃圾分类')
    await page.tap('全部标签')
    await page.waitFor(() => page!.requests.filter((r) => r.path === '/quiz/questions' && !r.query.tag).length === 2, 'the whole list again')
  })
})
