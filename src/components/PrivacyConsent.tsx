import { useEffect, useState } from 'react'
import { View } from '@tarojs/components'
import { useDidHide, useDidShow } from '@tarojs/taro'
import { Button } from '@nutui/nutui-react-taro'
import { toast } from '@/services/api'
import {
  AGREE_BUTTON_ID,
  answerPrivacy,
  currentPrivacyRequest,
  openPrivacyGuide,
  privacySheetShown,
  subscribePrivacyRequest,
  type PrivacyRequest,
} from '@/services/privacy'
import './PrivacyConsent.scss'

/** What the person just tapped, by the API WeChat names as the referrer. */
const ASKED_BY: Record<string, string> = {
  getLocation: '获取当前位置',
  chooseLocation: '在地图上选点',
  chooseMedia: '拍照或选择照片',
  chooseImage: '拍照或选择照片',
  chooseMessageFile: '从聊天中选择文件',
}

/**
 * The consent sheet WeChat asks for before the first privacy API call (weapp only; PageShell puts one on every
 * page and the one on the page being shown answers). 同意 is WeChat's own agreePrivacyAuthorization button:
 * WeChat lets the held call go on only after that button was tapped.
 * A plain bottom sheet rather than NutUI's Popup: it sits in the main package on every page, where Popup (with its
 * overlay and transitions) cost ~37 KB of the 500 KB budget.
 */
export default function PrivacyConsent() {
  const [request, setRequest] = useState<PrivacyRequest | null>(currentPrivacyRequest)
  const [onScreen, setOnScreen] = useState(true)
  useEffect(() => subscribePrivacyRequest(setRequest), [])
  useDidShow(() => setOnScreen(true))
  useDidHide(() => setOnScreen(false))
  const open = process.env.TARO_ENV === 'weapp' && !!request && onScreen
  useEffect(() => {
    if (open) privacySheetShown()
  }, [open])
  if (process.env.TARO_ENV !== 'weapp' || !open) return null

  const asked = (request && ASKED_BY[request.referrer]) || '使用该功能'
  return (
    <View className='cl-privacy-mask' catchMove>
      <View className='cl-privacy' role='dialog' aria-modal='true' aria-label='隐私保护提示'>
        <View className='cl-privacy__title'>隐私保护提示</View>
        <View className='cl-privacy__lead'>{`${asked}前，请阅读并同意《用户隐私保护指引》。文明共建只在你使用相应功能时处理以下信息：`}</View>
        <View className='cl-privacy__item'>位置信息：确定随手拍的问题位置，按位置确定你所在的社区</View>
        <View className='cl-privacy__item'>选中的照片：随手拍的现场照片、网格员的整改照片</View>
        <View className='cl-privacy__item'>选中的文件：网格员导入题库的 Excel 文件</View>
        <View className='cl-privacy__note'>不同意也可以继续使用答题、查看社区等其他功能。</View>
        <View className='cl-privacy__link' onClick={() => openPrivacyGuide().catch(() => toast('暂时无法打开隐私保护指引，请稍后再试'))}>
          查看《用户隐私保护指引》
        </View>
        <View className='cl-privacy__actions'>
          <Button className='cl-privacy__refuse' type='default' onClick={() => answerPrivacy(false)}>
            拒绝
          </Button>
          <Button
            id={AGREE_BUTTON_ID}
            className='cl-privacy__agree'
            type='primary'
            openType='agreePrivacyAuthorization'
            onAgreePrivacyAuthorization={() => answerPrivacy(true)}
          >
            同意
          </Button>
        </View>
      </View>
    </View>
  )
}
