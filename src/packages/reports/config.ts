/**
 * Subscribe-message templates the reporter is asked to accept before submitting (status changes of the report).
 * The server sends with REPORTS_SUBSCRIBE_TEMPLATE_ID; put the same id here for a real mini-program.
 */
export const REPORT_SUBSCRIBE_TEMPLATE_IDS: string[] = ['demo-report-status']

export const PAGES = {
  new: '/packages/reports/pages/new/index',
  detail: '/packages/reports/pages/detail/index',
  work: '/packages/reports/pages/work/index',
  handle: '/packages/reports/pages/handle/index',
  stats: '/packages/reports/pages/stats/index',
  moderation: '/packages/reports/pages/moderation/index',
}
