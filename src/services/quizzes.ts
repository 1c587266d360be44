import Taro from '@tarojs/taro'
import type {
  AttemptList,
  AttemptResult,
  AttemptStarted,
  CampaignList,
  CampaignView,
  CreateCampaignBody,
  CreateLiveBody,
  ImportResult,
  LiveAnswerAck,
  LiveSessionView,
  LiveSnapshot,
  PointsBoard,
  PointsSummary,
  ChangedQuestion,
  QuestionList,
  RegionBoard,
  SubmitBody,
  TagList,
  UpdateQuestionBody,
  WrongAnswerList,
} from '@contract/quizzes'
import { api, ApiError, buildUrl, toast } from './api'
import { downloadXlsx } from './download'
import { getToken } from './session'
import { isPrivacyRefusal, PRIVACY_REFUSED } from './privacy'

/**
 * 答题 (quizzes) API calls: thin wrappers over the one API client. Paths and errors: types/quizzes.ts.
 * Nothing here ever holds an answer before the attempt is submitted — the server does not send one.
 */

// ---- residents ----
export const listCampaigns = () => api.get<CampaignList>('/quiz/campaigns')
/** 201 a new attempt, 200 the unfinished one resumed. Errors are left to the caller (not toasted). */
export const startAttempt = (campaignId: number | string) =>
  api.post<AttemptStarted>(`/quiz/campaigns/${campaignId}/attempts`, {}, { idempotencyKey: true, silent: true })
export const startPractice = () => api.post<AttemptStarted>('/quiz/practice', {}, { idempotencyKey: true, silent: true })
export const getAttempt = (id: number | string) => api.get<AttemptStarted | AttemptResult>(`/quiz/attempts/${id}`)
/** One key per attempt: a repeated submit (network lost the answer) gets the first result back. */
export const submitAttempt = (id: number | string, body: SubmitBody, key: string) =>
  api.post<AttemptResult>(`/quiz/attempts/${id}/submit`, body, { idempotencyKey: key, silent: true })
export const listAttempts = (cursor?: string) => api.get<AttemptList>('/quiz/attempts', { cursor })
export const listWrongAnswers = (cursor?: string) => api.get<WrongAnswerList>('/quiz/wrong-answers', { cursor })
export const getPoints = () => api.get<PointsSummary>('/quiz/points')
export const getPointsBoard = (communityCode?: string) => api.get<PointsBoard>('/quiz/points/leaderboard', { communityCode })
export const getRegionBoard = (level: 'community' | 'street', campaignId?: number, parent?: string) =>
  api.get<RegionBoard>('/quiz/leaderboard', { level, campaignId, parent })

export function isSubmitted(a: AttemptStarted | AttemptResult): a is AttemptResult {
  return a.status !== 'in_progress'
}

// ---- workers ----
export const listTags = () => api.get<TagList>('/quiz/tags')
export const createCampaign = (body: CreateCampaignBody) =>
  api.post<CampaignView>('/quiz/admin/campaigns', body, { idempotencyKey: true, silent: true })
export const listMyCampaigns = () => api.get<CampaignList>('/quiz/admin/campaigns')
export const listQuestions = (tag?: string, status: 'active' | 'retired' = 'active', cursor?: string) =>
  api.get<QuestionList>('/quiz/questions', { tag, status, cursor })
// the three below leave the question the same however often they arrive: safe to retry (hence a key)
export const updateQuestion = (id: number, body: UpdateQuestionBody) =>
  api.patch<ChangedQuestion>(`/quiz/questions/${id}`, body, { idempotencyKey: true, silent: true })
export const retireQuestion = (id: number) => api.post<ChangedQuestion>(`/quiz/questions/${id}/retire`, {}, { idempotencyKey: true, silent: true })
export const restoreQuestion = (id: number) => api.post<ChangedQuestion>(`/quiz/questions/${id}/restore`, {}, { idempotencyKey: true, silent: true })
export const getCampaignStats = (id: number | string) => api.get<RegionBoard>(`/quiz/admin/campaigns/${id}/stats`)
export const cancelCampaign = (id: number | string) => api.post<CampaignView>(`/quiz/admin/campaigns/${id}/cancel`, {}, { idempotencyKey: true })

/** The bank as .xlsx (services/download.ts). */
export const exportQuestionBank = () => downloadXlsx(buildUrl('/quiz/questions/export'), `题库-${new Date().toISOString().slice(0, 10)}.xlsx`)

/**
 * Import an .xlsx into the bank (all-or-nothing). weapp: chooseMessageFile from a chat; H5: a file input.
 * Resolves null when the user picked nothing.
 */
export async function importQuestionBank(): Promise<ImportResult | null> {
  const url = buildUrl('/quiz/questions/import')
  const token = getToken()
  let body: ArrayBuffer
  if (process.env.TARO_ENV === 'h5') {
    const file = await new Promise<File | null>((resolve) => {
      const input = document.createElement('input')
      input.type = 'file'
      input.accept = '.xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
      input.onchange = () => resolve(input.files?.[0] ?? null)
      input.click()
    })
    if (!file) return null
    body = await file.arrayBuffer()
  } else {
    const picked = await Taro.chooseMessageFile({ count: 1, type: 'file', extension: ['xlsx'] }).catch((e) => {
      if (isPrivacyRefusal(e)) toast(`${PRIVACY_REFUSED}，无法从聊天中选择文件；也可以在浏览器中打开组织答题导入`)
      return null
    })
    const path = picked?.tempFiles?.[0]?.path
    if (!path) return null
    body = Taro.getFileSystemManager().readFileSync(path) as ArrayBuffer
  }
  const res = await Taro.request({
    url,
    method: 'POST',
    data: body,
    header: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/octet-stream' },
    dataType: 'json',
  })
  const data = res.data as any
  if (res.statusCode >= 200 && res.statusCode < 300) return data as ImportResult
  const rows: { message: string }[] = data?.details?.errors ?? []
  throw new ApiError(data?.code ?? `HTTP_${res.statusCode}`, rows.length ? rows.slice(0, 5).map((r) => r.message).join('\n') : data?.message ?? '导入失败', res.statusCode, data?.details)
}

// ---- live quiz ----
export const createLive = (body: CreateLiveBody) => api.post<LiveSessionView>('/live/sessions', body, { idempotencyKey: true, silent: true })
export const getLive = (id: number | string) => api.get<LiveSessionView>(`/live/sessions/${id}`)
export const advanceLive = (id: number | string) => api.post<LiveSnapshot>(`/live/sessions/${id}/advance`, {}, { silent: true })
export const finishLive = (id: number | string) => api.post<LiveSnapshot>(`/live/sessions/${id}/finish`, {}, { silent: true })
export const joinLive = (code: string) => api.post<LiveSnapshot>(`/live/${code}/join`, {}, { silent: true })
export const answerLive = (code: string, questionIndex: number, choice: number[]) =>
  api.post<LiveAnswerAck>(`/live/${code}/answer`, { questionIndex, choice }, { silent: true })

export { toast }
