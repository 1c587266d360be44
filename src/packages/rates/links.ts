/**
 * Pages of this subpackage that the dashboard links to from its head, besides itself. The daily bulletin (一天一通报,
 * pages/bulletin, built as its own piece of work) adds its line here when its page exists.
 */
export const DASHBOARD_LINKS: Array<{ text: string; url: string }> = []
