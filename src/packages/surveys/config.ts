/**
 * The subscribe-message template a resident accepts with "有新问卷时通知我" (a survey for their community opens).
 * The server sends with SURVEYS_SUBSCRIBE_TEMPLATE_ID; put the same id here for a real mini-program.
 */
export const SURVEY_SUBSCRIBE_TEMPLATE_IDS: string[] = ['demo-survey-open']
