import type {
  Answers, CreateSurveyBody, CrossTab, ResidentSurvey, ResidentSurveyList, StaffSurvey, StaffSurveyList, SubmitSurveyResult, SurveyDraft,
  SurveyDraftBody, SurveyNoticeConsent, SurveyResults, SurveyTemplateList, TextAnswerPage, UpdateSurveyBody,
} from '@contract/surveys'
import { api, buildUrl } from '@/services/api'
import { downloadXlsx } from '@/services/download'

/** 问卷 API calls, kept in the subpackage (nothing of surveys in the main package). Paths and errors: types/surveys.ts. */
export const listSurveys = () => api.get<ResidentSurveyList>('/surveys')
export const getSurvey = (id: number | string) => api.get<ResidentSurvey>(`/surveys/${id}`)
/** 404 SURVEY_DRAFT_NOT_FOUND when nothing was saved: the caller treats that as "start from the beginning". */
export const getSurveyDraft = (id: number | string) => api.get<SurveyDraft>(`/surveys/${id}/draft`, undefined, { silent: true })
export const saveSurveyDraft = (id: number | string, body: SurveyDraftBody) => api.put<SurveyDraft>(`/surveys/${id}/draft`, body, { silent: true })
/** One key per survey on this device: a submit repeated after a lost answer gets the first result back. */
export const submitSurvey = (id: number | string, answers: Answers, key: string) =>
  api.post<SubmitSurveyResult>(`/surveys/${id}/responses`, { answers }, { idempotencyKey: key, silent: true })

// ------------------------------------------------------------ staff
export const listTemplates = () => api.get<SurveyTemplateList>('/surveys/templates')
export const listStaffSurveys = () => api.get<StaffSurveyList>('/surveys/admin')
export const getStaffSurvey = (id: number | string) => api.get<StaffSurvey>(`/surveys/admin/${id}`)
export const previewSurvey = (id: number | string) => api.get<ResidentSurvey>(`/surveys/admin/${id}/preview`)
export const createSurvey = (body: CreateSurveyBody) => api.post<StaffSurvey>('/surveys/admin', body, { silent: true })
export const updateSurvey = (id: number | string, body: UpdateSurveyBody) => api.put<StaffSurvey>(`/surveys/admin/${id}`, body, { silent: true })
export const publishSurvey = (id: number | string) => api.post<StaffSurvey>(`/surveys/admin/${id}/publish`, {}, { silent: true })
export const closeSurvey = (id: number | string) => api.post<StaffSurvey>(`/surveys/admin/${id}/close`, {}, { silent: true })
export const getStaffResults = (id: number | string) => api.get<SurveyResults>(`/surveys/admin/${id}/results`)
export const getCrossTab = (id: number | string, q: { question: string; row?: string; by: string; byQuestion?: string; byRow?: string }) =>
  api.get<CrossTab>(`/surveys/admin/${id}/crosstab`, q)
export const getTextAnswers = (id: number | string, question: string, q?: string, cursor?: string) =>
  api.get<TextAnswerPage>(`/surveys/admin/${id}/texts`, { question, q: q || undefined, cursor })

/** Responses or the summary as a file, through services/download.ts (a .csv opens in the phone's sheet viewer too). */
export const downloadExport = (id: number | string, what: 'responses' | 'summary', format: 'xlsx' | 'csv') =>
  downloadXlsx(buildUrl(`/surveys/admin/${id}/export`, { what, format }), `问卷${id}-${what === 'responses' ? '答卷' : '汇总'}.${format}`)

// ------------------------------------------------------------ results after close, opening notices
export const listClosedSurveys = () => api.get<ResidentSurveyList>('/surveys/closed')
/** 403 RESULTS_NOT_YET / RESULTS_NOT_PUBLIC when the survey is open or keeps its results to staff. */
export const getResidentResults = (id: number | string) => api.get<SurveyResults>(`/surveys/${id}/results`, undefined, { silent: true })
export const getNoticeConsent = () => api.get<SurveyNoticeConsent>('/surveys/notices')
export const setNoticeConsent = (agreed: boolean) =>
  api.put<SurveyNoticeConsent>('/surveys/notices', { agreed, channel: process.env.TARO_ENV === 'weapp' ? 'weapp' : 'h5' }, { silent: true })
