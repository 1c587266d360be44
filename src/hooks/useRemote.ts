import { useCallback, useEffect, useRef, useState } from 'react'
import { ApiError } from '@/services/api'

export interface Remote<T> {
  data: T | undefined
  error: ApiError | undefined
  /** True while the first load (or a reload after an error) runs; refreshes keep the old data shown. */
  loading: boolean
  refreshing: boolean
  reload: () => Promise<void>
}

/** Loads something from the API for a page: loading / error / data, and reload for pull-down refresh and retry. */
export function useRemote<T>(load: () => Promise<T>, deps: unknown[], enabled = true): Remote<T> {
  const [data, setData] = useState<T>()
  const [error, setError] = useState<ApiError>()
  const [loading, setLoading] = useState(enabled)
  const [refreshing, setRefreshing] = useState(false)
  const seq = useRef(0)
  const hasData = useRef(false)

  const reload = useCallback(async () => {
    const mine = ++seq.current
    if (hasData.current) setRefreshing(true)
    else setLoading(true)
    try {
      const value = await load()
      if (mine !== seq.current) return
      hasData.current = true
      setData(value)
      setError(undefined)
    } catch (e) {
      if (mine !== seq.current) return
      setError(e instanceof ApiError ? e : new ApiError('CLIENT_ERROR', e instanceof Error ? e.message : '出错了，请稍后重试', 0))
    } finally {
      if (mine === seq.current) {
        setLoading(false)
        setRefreshing(false)
      }
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps)

  useEffect(() => {
    if (enabled) void reload()
  }, [reload, enabled])

  return { data, error, loading, refreshing, reload }
}
