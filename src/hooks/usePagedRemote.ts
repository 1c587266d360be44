import { useCallback, useEffect, useState } from 'react'
import { useReachBottom } from '@tarojs/taro'
import { useRemote, type Remote } from './useRemote'

export interface Page<T> {
  items: T[]
  nextCursor: string | null
}

export interface PagedRemote<T, P extends Page<T>> extends Remote<P> {
  /** every page loaded so far (the first page's items, then the others'); undefined until the first arrives */
  items: T[] | undefined
  hasMore: boolean
  loadingMore: boolean
  loadMore: () => Promise<void>
}

/**
 * A cursor-paged list for a page: the first page through useRemote (loading / error / reload), further pages on
 * reaching the bottom or by loadMore(). A reload starts again from the first page. `data` is the first page's
 * response, for what a list endpoint sends beside its items (counts, totals).
 */
export function usePagedRemote<T, P extends Page<T> = Page<T>>(
  loadPage: (cursor?: string) => Promise<P>, deps: unknown[], enabled = true,
): PagedRemote<T, P> {
  const first = useRemote(() => loadPage(), deps, enabled)
  const [more, setMore] = useState<T[]>([])
  const [cursor, setCursor] = useState<string | null | undefined>(undefined)
  const [loadingMore, setLoadingMore] = useState(false)

  // a new first page (reload, changed deps) drops the pages loaded after the old one
  useEffect(() => {
    setMore([])
    setCursor(undefined)
  }, [first.data])

  const next = cursor === undefined ? first.data?.nextCursor ?? null : cursor
  const loadMore = useCallback(async () => {
    if (!next || loadingMore) return
    setLoadingMore(true)
    try {
      const page = await loadPage(next)
      setMore((m) => [...m, ...page.items])
      setCursor(page.nextCursor)
    } catch {
      // the api layer has shown the error; the button stays to try again
    } finally {
      setLoadingMore(false)
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [next, loadingMore, ...deps])
  useReachBottom(() => void loadMore())

  return { ...first, items: first.data ? [...first.data.items, ...more] : undefined, hasMore: next !== null, loadingMore, loadMore }
}
