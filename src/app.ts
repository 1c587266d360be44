import { PropsWithChildren } from 'react'
import { useLaunch } from '@tarojs/taro'
import { getElderMode } from './services/elder'
import { installRootFontSize } from './utils/h5-rem'
import { installPrivacyConsent } from './services/privacy'
import { installH5Accessibility } from './utils/h5-a11y'
import './app.scss'

if (process.env.TARO_ENV === 'h5') {
  installRootFontSize()
  installH5Accessibility()
}
// before any page can call a privacy API (WeChat holds the call until the consent sheet answers)
installPrivacyConsent()

function App({ children }: PropsWithChildren) {
  useLaunch(() => {
    // Read 长辈模式 from storage before the first page renders, so large type applies without waiting for the network.
    getElderMode()
  })
  return children
}

export default App
