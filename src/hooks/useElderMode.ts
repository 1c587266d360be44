import { useEffect, useState } from 'react'
import { getElderMode, onElderModeChange } from '@/services/elder'

/** Whether 长辈模式 is on; starts from storage synchronously, follows changes made on any page. */
export function useElderMode(): boolean {
  const [on, setOn] = useState(getElderMode)
  useEffect(() => {
    setOn(getElderMode())
    return onElderModeChange(setOn)
  }, [])
  return on
}
