import { useState } from 'react'
import { View } from '@tarojs/components'
import { Button, Input, Tag } from '@nutui/nutui-react-taro'
import type { TextAnswerPage } from '@contract/surveys'
import { ApiError, toast } from '@/services/api'
import { getTextAnswers } from '../api'

/** The text answers of one question, a page at a time, with a search; held ones marked (staff only see this). */
export default function TextAnswers({ surveyId, question, title }: { surveyId: number | string; question: string; title: string }) {
  const [q, setQ] = useState('')
  const [items, setItems] = useState<TextAnswerPage['items']>([])
  const [total, setTotal] = useState<number | null>(null)
  const [cursor, setCursor] = useState<string | null>(null)
  const [loading, setLoading] = useState(false)
  const fetchPage = async (fresh: boolean) => {
    setLoading(true)
    try {
      const page = await getTextAnswers(surveyId, question, q.trim(), fresh ? undefined : cursor ?? undefined)
      setItems(fresh ? page.items : [...items, ...page.items])
      setTotal(page.total)
      setCursor(page.nextCursor)
    } catch (e) {
      toast(e instanceof ApiError ? e.message : '加载失败，请稍后重试')
    } finally {
      setLoading(false)
    }
  }
  return (
    <View className='sv-texts'>
      <View className='sv-texts__search'>
        <Input className='sv-texts__input' nativeProps={{ 'aria-label': `搜索“${title}”的文字回答` }} placeholder='搜索文字回答' value={q} maxLength={50} onChange={setQ} />
        <Button size='small' type='primary' loading={loading && total === null} onClick={() => fetchPage(true)}>{total === null ? '查看文字回答' : '搜索'}</Button>
      </View>
      {total !== null ? <View className='sv-texts__total'>共 {total} 条</View> : null}
      {items.map((i, n) => (
        <View key={n} className='sv-texts__item'>
          <View className='sv-texts__text'>{i.text}</View>
          <View className='sv-texts__meta'>
            {i.day}{i.communityName ? ` · ${i.communityName}` : ''}
            {i.held ? <Tag type='warning' className='sv-texts__held'>未通过内容检查，仅工作人员可见</Tag> : null}
          </View>
        </View>
      ))}
      {cursor ? <Button size='small' fill='outline' loading={loading} onClick={() => fetchPage(false)}>加载更多</Button> : null}
    </View>
  )
}
