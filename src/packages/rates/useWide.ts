import { useEffect, useState } from 'react'
import Taro from '@tarojs/taro'

/** A PC browser window (the office works on one): wide enough for the multi-column layout. WeChat runs on phones. */
const WIDE = 960

function windowWidth(): number {
  try {
    return (Taro.getWindowInfo?.() ?? Taro.getSystemInfoSync()).windowWidth || 0
  } catch {
    return 0
  }
}

export function useWide(): boolean {
  const [wide, setWide] = useState(() => process.env.TARO_ENV === 'h5' && windowWidth() >= WIDE)
  useEffect(() => {
    if (process.env.TARO_ENV !== 'h5') return
    const onResize = () => setWide(window.innerWidth >= WIDE)
    onResize()
    window.addEventListener('resize', onResize)
    return () => window.removeEventListener('resize', onResize)
  }, [])
  return wide
}
