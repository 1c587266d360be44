import Taro from '@tarojs/taro'
import { ELDER_MODE_KEY } from './session'

/**
 * 长辈模式 (elder mode): larger type on every page. The choice lives in storage so it applies at start-up,
 * before any network answer, and is mirrored to the server (PATCH /me) so it follows the user.
 */
type Listener = (on: boolean) => void
const listeners = new Set<Listener>()
let current: boolean | undefined

export function getElderMode(): boolean {
  if (current === undefined) {
    try {
      current = Taro.getStorageSync(ELDER_MODE_KEY) === true || Taro.getStorageSync(ELDER_MODE_KEY) === '1'
    } catch {
      current = false
    }
  }
  return current
}

export function setElderMode(on: boolean): void {
  current = on
  try {
    Taro.setStorageSync(ELDER_MODE_KEY, on ? '1' : '0')
  } catch {
    // storage full or unavailable: the mode still applies for this session
  }
  listeners.forEach((l) => l(on))
}

export function onElderModeChange(listener: Listener): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}
