import { ROUTES } from '@/routes'

/** Pages of this subpackage that the dashboard links to from its head, besides itself. */
export const DASHBOARD_LINKS: Array<{ text: string; url: string }> = [{ text: '每日通报', url: ROUTES.rates.bulletin }]
