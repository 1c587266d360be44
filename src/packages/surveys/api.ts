import type {
  Answers, ResidentSurvey, ResidentSurveyList, SubmitSurveyResult, SurveyDraft, SurveyDraftBody,
} from '@contract/surveys'
import { api } from '@/services/api'

/** 问卷 API calls, kept in the subpackage (nothing of surveys in the main package). Paths and errors: types/surveys.ts. */
export const listSurveys = () => api.get<ResidentSurveyList>('/surveys')
export const getSurvey = (id: number | string) => api.get<ResidentSurvey>(`/surveys/${id}`)
/** 404 SURVEY_DRAFT_NOT_FOUND when nothing was saved: the caller treats that as "start from the beginning". */
export const getSurveyDraft = (id: number | string) => api.get<SurveyDraft>(`/surveys/${id}/draft`, undefined, { silent: true })
export const saveSurveyDraft = (id: number | string, body: SurveyDraftBody) => api.put<SurveyDraft>(`/surveys/${id}/draft`, body, { silent: true })
/** One key per survey on this device: a submit repeated after a lost answer gets the first result back. */
export const submitSurvey = (id: number | string, answers: Answers, key: string) =>
  api.post<SubmitSurveyResult>(`/surveys/${id}/responses`, { answers }, { idempotencyKey: key, silent: true })
