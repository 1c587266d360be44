import type { Role, RoleBadge } from '@contract/accounts'

const ROLE_NAMES: Record<Role, string> = { resident: '居民', volunteer: '志愿者', worker: '网格员', office: '创文办' }

export function roleLabel(badge: RoleBadge): string {
  const name = ROLE_NAMES[badge.role] ?? badge.role
  return badge.role === 'worker' && badge.regionName ? `${name}·${badge.regionName}` : name
}

/** 12873 → "12,873" (by hand: toLocaleString differs between WeChat's runtimes). */
export function formatCount(n: number): string {
  const [int, frac] = String(n).split('.')
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  return frac ? `${grouped}.${frac}` : grouped
}
