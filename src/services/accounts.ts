import type { Me, UpdateMeBody } from '@contract/accounts'
import type { HomeOverview } from '@contract/home'
import type { LocateResult, RegionList, RegionSummary } from '@contract/regions'
import { api } from './api'

export const getMe = () => api.get<Me>('/me')
export const updateMe = (body: UpdateMeBody) => api.patch<Me>('/me', body)
export const getHome = () => api.get<HomeOverview>('/home')

/** Top-level regions without a parent; the children of `parent` otherwise. */
export async function listRegions(parent?: string): Promise<RegionSummary[]> {
  const res = await api.get<RegionList>('/regions', parent ? { parent } : undefined)
  return res.items
}

/** Where a GCJ-02 point lies. Rejects with ApiError OUTSIDE_CITY (404) outside the city; not toasted here. */
export const locate = (lng: number, lat: number) => api.get<LocateResult>('/regions/locate', { lng, lat }, { silent: true })
