/** Shared fixtures and wx mocks for the 随手拍 component tests (compiled weapp pages). */
import type { ReportDetail, TimelineEvent } from '../../types/reports'

export const categories = {
  items: [
    { code: 'litter', name: '乱扔垃圾', icon: 'litter', slaHours: 24, department: '城管环卫', duplicateRadiusM: 50 },
    { code: 'parking', name: '违规停车', icon: 'parking', slaHours: 4, department: '交警大队', duplicateRadiusM: 30 },
  ],
}

export const located = {
  district: { code: 'd1', name: '东湖区' },
  street: { code: 's1', name: '湖滨街道' },
  community: { code: 'c1', name: '幸福里社区' },
}

let n = 0
export const photoView = (id = `photo_${String(++n).padStart(16, '0')}`) => ({ id, url: `/api/v1/photos/${id}`, thumbUrl: `/api/v1/photos/${id}/thumb`, width: 800, height: 600 })

const ev = (id: number, action: string, label: string, role: TimelineEvent['actor']['role'], name: string, at: string, note: string | null = null, photos: ReturnType<typeof photoView>[] = []): TimelineEvent =>
  ({ id, action, label, fromState: null, toState: null, actor: { role, name }, note, photos, at }) as TimelineEvent

export function detail(over: Partial<ReportDetail> = {}): ReportDetail {
  return {
    id: 7,
    number: 'SSP000007',
    category: { code: 'parking', name: '违规停车', icon: 'parking' },
    state: 'closed',
    stateLabel: '已销号',
    description: '人行道上有车辆违停',
    address: '湖滨路 12 号门口',
    community: { code: 'c1', name: '幸福里社区' },
    createdAt: '2025-03-01T02:30:00.000Z',
    dueAt: '2025-03-01T06:30:00.000Z',
    closedAt: '2025-03-01T05:00:00.000Z',
    overdue: false,
    held: false,
    coReporters: 2,
    thumbUrl: '/api/v1/photos/p1/thumb',
    reporterName: '居民小王',
    grid: null,
    lng: 114.3,
    lat: 30.6,
    anonymous: false,
    department: '交警大队',
    assignee: null,
    mergedInto: null,
    reporter: { id: 1, name: '居民小王', phoneMasked: '138****0001' },
    isMine: true,
    meToo: false,
    holdReason: null,
    photos: [photoView('before_photo_000000001')],
    rating: null,
    actions: ['reopen'],
    canRate: true,
    timeline: [
      ev(1, 'submit', '提交上报', 'reporter', '上报人', '2025-03-01T02:30:00.000Z'),
      ev(2, 'accept', '已受理', 'worker', '张网格', '2025-03-01T03:00:00.000Z', '马上处理'),
      ev(3, 'rectify', '整改完成', 'worker', '张网格', '2025-03-01T04:15:00.000Z', '车辆已挪走', [photoView('after_photo_0000000001')]),
      ev(4, 'close', '核查销号', 'worker', '张网格', '2025-03-01T05:00:00.000Z', '核查通过'),
    ],
    ...over,
  } as ReportDetail
}

export interface UploadMock {
  calls: { filePath: string; url: string; name: string; header: Record<string, string> }[]
  fn: (o: any) => any
  /** answer of the next uploads: 'ok' or 'network' */
  mode: 'ok' | 'network'
  /** ms before the answer */
  delay: number
  /**
   * While true, answers wait (after `delay`) until release(): a test that asserts the in-between progress state holds
   * the uploads, sees it, then releases them — on a busy machine a fixed delay can pass before the page shows it.
   */
  hold: boolean
  release: () => void
}

/** wx.uploadFile: reports 40 % progress, then answers (201 PhotoView) or fails like a lost network. */
export function uploadMock(delay = 150): UploadMock {
  const held: (() => void)[] = []
  const m: UploadMock = {
    calls: [],
    mode: 'ok',
    delay,
    hold: false,
    release: () => {
      m.hold = false
      held.splice(0).forEach((answer) => answer())
    },
    fn: (o: any) => {
      m.calls.push({ filePath: o.filePath, url: o.url, name: o.name, header: o.header ?? {} })
      const listeners: ((r: any) => void)[] = []
      const mode = m.mode
      setTimeout(() => listeners.forEach((l) => l({ progress: 40, totalBytesSent: 40, totalBytesExpectedToSend: 100 })), 10)
      const answer = () => {
        if (mode === 'network') {
          o.fail?.({ errMsg: 'uploadFile:fail timeout' })
          o.complete?.({ errMsg: 'uploadFile:fail timeout' })
        } else {
          const res = { statusCode: 201, data: JSON.stringify(photoView()), errMsg: 'uploadFile:ok' }
          o.success?.(res)
          o.complete?.(res)
        }
      }
      setTimeout(() => (m.hold ? held.push(answer) : answer()), m.delay)
      return { onProgressUpdate: (cb: any) => listeners.push(cb), offProgressUpdate() {}, abort() {}, onHeadersReceived() {}, offHeadersReceived() {} }
    },
  }
  return m
}

/** wx.chooseMedia answering with `sizes.length` images. */
export function chooseMediaMock(sizes: number[]) {
  const calls: any[] = []
  return {
    calls,
    fn: (o: any) => {
      calls.push(o)
      const res = { type: 'image', tempFiles: sizes.map((size, i) => ({ tempFilePath: `wxfile://tmp/pick_${calls.length}_${i}.jpg`, size, fileType: 'image' })), errMsg: 'chooseMedia:ok' }
      setTimeout(() => {
        o.success?.(res)
        o.complete?.(res)
      }, 0)
    },
  }
}

export const asyncOk = (result: object = {}) => (o: any) =>
  setTimeout(() => {
    const res = { errMsg: 'ok', ...result }
    o?.success?.(res)
    o?.complete?.(res)
  }, 0)

export const asyncFail = (errMsg: string) => (o: any) =>
  setTimeout(() => {
    o?.fail?.({ errMsg })
    o?.complete?.({ errMsg })
  }, 0)
