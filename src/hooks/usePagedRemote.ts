import { useCallback, useEffect, useRef, useState } from 'react'
import { useReachBottom } from '@tarojs/taro'
import { useRemote, type Remote } from './useRemote'

export interface Page<T> {
  items: T[]
  nextCursor: string | null
}

type ItemOf<P extends Page<unknown>> = P['items'][number]

export interface PagedRemote<P extends Page<unknown>> extends Remote<P> {
  /** every page loaded so far (the first page's items, then the others'); undefined until the first arrives */
  items: ItemOf<P>[] | undefined
  hasMore: boolean
  loadingMore: boolean
  loadMore: () => Promise<void>
}

/**
 * A cursor-paged list for a page: the first page through useRemote (loading / error / reload), further pages on
 * reaching the bottom or by loadMore(). A reload starts again from the first page. `data` is the first page's
 * response, for what a list endpoint sends beside its items (counts, totals).
 */
export function usePagedRemote<P extends Page<unknown>>(
  loadPage: (cursor?: string) => Promise<P>, deps: unknown[], enabled = true,
  /** items that moved between pages while paging (a new report above) are shown once, by this key */
  keyOf: (item: ItemOf<P>) => unknown = (item) => (item as { id?: unknown }).id ?? item,
): PagedRemote<P> {
  const first = useRemote(() => loadPage(), deps, enabled)
  const [more, setMore] = useState<ItemOf<P>[]>([])
  const [cursor, setCursor] = useState<string | null | undefined>(undefined)
  const [loadingMore, setLoadingMore] = useState(false)
  const generation = useRef(0)

  // a new first page (reload, changed deps) drops the pages loaded after the old one, and any page still arriving
  useEffect(() => {
    generation.current++
    setMore([])
    setCursor(undefined)
  }, [first.data])

  const next = cursor === undefined ? first.data?.nextCursor ?? null : cursor
  const loadMore = useCallback(async () => {
    if (!next || loadingMore || first.loading) return
    const mine = generation.current
    setLoadingMore(true)
    try {
      const page = await loadPage(next)
      if (mine !== generation.current) return
      const seen = new Set([...(first.data?.items ?? []), ...more].map(keyOf))
      setMore((m) => [...m, ...page.items.filter((i) => !seen.has(keyOf(i)))])
      setCursor(page.nextCursor)
    } catch {
      // the api layer has shown the error; the button stays to try again
    } finally {
      setLoadingMore(false)
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [next, loadingMore, first.loading, first.data, more, ...deps])
  useReachBottom(() => void loadMore())

  return { ...first, items: first.data ? [...first.data.items, ...more] : undefined, hasMore: next !== null, loadingMore, loadMore }
}
