import { json, mountPage, type MountedPage } from './harness'
import type { LiveServerMessage, LiveSnapshot } from '../../types/quizzes'

const JOIN = 'packages/quizzes/pages/live-join/index'

/** A fake of WeChat's SocketTask: the test plays the server. */
class FakeSocket {
  sent: any[] = []
  closed = false
  private h: Record<string, (arg?: any) => void> = {}
  constructor(public url: string, public protocols?: string[]) {}
  onOpen(f: () => void) { this.h.open = f }
  onMessage(f: (m: { data: string }) => void) { this.h.message = f }
  onClose(f: (r: { code: number; reason: string }) => void) { this.h.close = f }
  onError(f: (e: unknown) => void) { this.h.error = f }
  send(o: { data: string }) { this.sent.push(JSON.parse(o.data)); (o as any).success?.({}) }
  close() { this.closed = true }
  open() { this.h.open?.() }
  push(m: LiveServerMessage) { this.h.message?.({ data: JSON.stringify(m) }) }
  drop() { this.h.close?.({ code: 1006, reason: 'abnormal' }) }
}

const serverNow = () => new Date().toISOString()
function snapshot(over: Partial<LiveSnapshot> = {}): LiveSnapshot {
  return {
    code: '123456',
    sessionId: 5,
    title: '幸福里文明知识抢答',
    state: 'lobby',
    questionCount: 2,
    currentIndex: -1,
    serverNow: serverNow(),
    participantCount: 1,
    participants: [{ userId: 1, nickname: '演示居民' }],
    question: null,
    reveal: null,
    leaderboard: [],
    you: { role: 'participant', score: 0, rank: null, answered: false },
    ...over,
  }
}
const question = (index: number) => ({
  index,
  total: 2,
  question: { id: 300 + index, kind: 'single' as const, stem: `第${index + 1}道：文明养犬应当做到？`, options: ['拴绳牵引', '随意放养'], tags: ['文明养犬'], difficulty: 1 },
  startedAt: serverNow(),
  endsAt: new Date(Date.now() + 20_000).toISOString(),
})

let page: MountedPage | undefined
afterEach(() => page?.unmount())

describe('现场答题 participant page (compiled weapp page, mocked socket)', () => {
  it('joins by code, answers once over the socket, sees the leaderboard, resumes from the snapshot after a drop, ends on the podium', async () => {
    const sockets: FakeSocket[] = []
    page = await mountPage(JOIN, {
      signedIn: true,
      // made when asked: its serverNow is the server's clock at that moment, however slow the machine
      api: { 'POST /live/:code/join': () => json(200, snapshot()) },
      wx: {
        connectSocket: (o: any) => {
          const s = new FakeSocket(o.url, o.protocols)
          sockets.push(s)
          setTimeout(() => o.success?.({ errMsg: 'connectSocket:ok' }), 0)
          return s
        },
      },
    })
    await page.input('6 位口令', '123456')
    await page.tap('进入答题')
    await page.waitForRequest('POST /live/123456/join')
    await page.waitForText('等待主持人开始')
    await page.waitFor(() => sockets.length === 1, 'a socket')
    // the token rides as a subprotocol, never in the URL
    expect(sockets[0].url).toMatch(/\/api\/v1\/live\/123456\/ws$/)
    expect(sockets[0].protocols).toEqual(['civiclink.v1', 'test-token'])
    await new Promise((r) => setTimeout(r, 20))
    sockets[0].open()
    sockets[0].push({ type: 'snapshot', ...snapshot() })
    sockets[0].push({ type: 'joined', participant: { userId: 2, nickname: '李阿姨' }, participantCount: 2 })
    await page.waitForText('李阿姨')
    expect(page.text()).toContain('已有 2 人加入')

    sockets[0].push({ type: 'question', ...question(0) })
    await page.waitForText('第1道：文明养犬应当做到？')
    expect(page.text()).toContain('第 1/2 题')
    expect(page.text()).toMatch(/00:(19|20|21)/)
    await page.tap('A. 拴绳牵引')
    await page.tap('提交答案')
    await page.waitFor(() => sockets[0].sent.some((m) => m.type === 'answer'), 'an answer message')
    expect(sockets[0].sent.filter((m) => m.type === 'answer')).toEqual([{ type: 'answer', questionIndex: 0, choice: [0] }])
    sockets[0].push({ type: 'answer_ack', questionIndex: 0, accepted: true })
    await page.waitForText('已提交，等待公布答案')
    expect(page.text()).not.toContain('提交答案') // answer once

    sockets[0].push({
      type: 'reveal',
      reveal: { index: 0, questionId: 300, answer: [0], explanation: '遛狗须拴绳，及时清理粪便。' },
      leaderboard: [{ rank: 1, userId: 1, nickname: '演示居民', score: 100, correctCount: 1 }, { rank: 2, userId: 2, nickname: '李阿姨', score: 0, correctCount: 0 }],
      you: { score: 100, rank: 1 },
    })
    await page.waitForText('遛狗须拴绳')
    expect(page.text()).toContain('排行榜')
    expect(page.text()).toContain('我的得分 100 · 第 1 名')

    // the connection drops: the page reconnects by itself, and renders what the new snapshot says
    sockets[0].drop()
    await page.waitForText('正在重连')
    await page.waitFor(() => sockets.length === 2, 'a reconnect', 4000)
    await new Promise((r) => setTimeout(r, 20))
    sockets[1].open()
    sockets[1].push({ type: 'snapshot', ...snapshot({ state: 'question', currentIndex: 1, question: question(1), participantCount: 2, you: { role: 'participant', score: 100, rank: 1, answered: false } }) })
    await page.waitForText('第2道：文明养犬应当做到？')
    expect(page.text()).toContain('已连接')

    sockets[1].push({
      type: 'finished',
      podium: [{ rank: 1, userId: 1, nickname: '演示居民', score: 200, correctCount: 2 }, { rank: 2, userId: 2, nickname: '李阿姨', score: 100, correctCount: 1 }],
      leaderboard: [{ rank: 1, userId: 1, nickname: '演示居民', score: 200, correctCount: 2 }, { rank: 2, userId: 2, nickname: '李阿姨', score: 100, correctCount: 1 }],
      you: { score: 200, rank: 1 },
    })
    await page.waitForText('最终排名')
    expect(page.text()).toContain('200 分')
    expect(page.text()).toContain('本场成绩已记入“我的答题记录”')
  })

  it('joins with a POST before the socket opens; a socket that says "not joined" sends the person back to the code form', async () => {
    const sockets: FakeSocket[] = []
    page = await mountPage(JOIN, {
      signedIn: true,
      api: { 'POST /live/:code/join': json(200, snapshot()) },
      wx: {
        connectSocket: (o: any) => {
          const s = new FakeSocket(o.url, o.protocols)
          sockets.push(s)
          setTimeout(() => o.success?.({ errMsg: 'connectSocket:ok' }), 0)
          return s
        },
      },
    })
    await page.input('6 位口令', '123456')
    await page.tap('进入答题')
    await page.waitFor(() => sockets.length === 1, 'a socket')
    // the join went first; nothing reads the state with a GET to join
    expect(page.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /live/123456/join'])
    await new Promise((r) => setTimeout(r, 20))
    sockets[0].open()
    sockets[0].push({ type: 'error', code: 'LIVE_NOT_JOINED', message: '请先加入这场现场答题' })
    await page.waitForText('请重新输入口令加入')
    await page.waitForText('进入答题')
    // refused for good: no reconnect loop
    await new Promise((r) => setTimeout(r, 600))
    expect(sockets).toHaveLength(1)
  })

  it('says so when the code does not exist', async () => {
    page = await mountPage(JOIN, {
      signedIn: true,
      api: { 'POST /live/:code/join': json(404, { code: 'LIVE_NOT_FOUND', message: '没有这个口令' }) },
      wx: { connectSocket: () => { throw new Error('must not connect') } },
    })
    await page.input('6 位口令', '654321')
    await page.tap('进入答题')
    await page.waitForText('口令不存在')
  })
})
