import { useRef } from 'react'
import { useDidShow } from '@tarojs/taro'

/** Runs `reload` each time the page is shown again (not the first time): e.g. back from the region picker. */
export function useReloadOnShow(reload: () => unknown, enabled = true): void {
  const shownOnce = useRef(false)
  useDidShow(() => {
    if (shownOnce.current && enabled) void reload()
    shownOnce.current = true
  })
}
