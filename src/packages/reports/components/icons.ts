/** Category icon keys (types/reports.ts ReportCategory.icon) → a glyph that renders on both targets. */
const ICONS: Record<string, string> = {
  spit: '💦',
  spitting: '💦',
  litter: '🗑️',
  littering: '🗑️',
  garbage: '🗑️',
  parking: '🚗',
  blind: '🦯',
  blindlane: '🦯',
  'blind-lane': '🦯',
  vending: '🛒',
  vendor: '🛒',
  dog: '🐕',
  redlight: '🚦',
  'red-light': '🚦',
  traffic: '🚦',
  ads: '📄',
  ad: '📄',
  poster: '📄',
  helmet: '⛑️',
  noise: '🔊',
  building: '🏗️',
  'car-litter': '🚮',
  facility: '🛠️',
  other: '📷',
}

export function categoryIcon(key: string | undefined): string {
  if (!key) return '📷'
  const k = key.toLowerCase()
  return ICONS[k] ?? ICONS[k.replace(/[_\s]/g, '-')] ?? ICONS[k.replace(/[-_\s]/g, '')] ?? '📷'
}
