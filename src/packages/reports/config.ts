import { ROUTES } from '@/routes'

/**
 * Subscribe-message templates the reporter is asked to accept before submitting (status changes of the report).
 * The server sends with REPORTS_SUBSCRIBE_TEMPLATE_ID; put the same id here for a real mini-program.
 */
export const REPORT_SUBSCRIBE_TEMPLATE_IDS: string[] = ['demo-report-status']

export const PAGES = ROUTES.reports
