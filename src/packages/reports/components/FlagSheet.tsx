import { useState } from 'react'
import { View } from '@tarojs/components'
import { Button, Popup, Radio, TextArea } from '@nutui/nutui-react-taro'
import type { FlagReason } from '@contract/moderation'
import { FLAG_REASONS } from '@contract/moderation-constants'
import { ApiError, toast } from '@/services/api'
import { flagReport } from '@/services/reports'
import './FlagSheet.scss'

const REASONS = Object.entries(FLAG_REASONS) as Array<[FlagReason, string]>

/**
 * 举报: a reason from the list and, optionally, a few words. The author of the report is never told who flagged it;
 * past a few flags the report is hidden until a worker reviews it.
 */
export default function FlagSheet({ reportId, visible, onClose, onFlagged }: { reportId: number; visible: boolean; onClose: () => void; onFlagged: () => void }) {
  const [reason, setReason] = useState<FlagReason | ''>('')
  const [note, setNote] = useState('')
  const [busy, setBusy] = useState(false)

  const submit = async () => {
    if (!reason) {
      toast('请选择举报原因')
      return
    }
    if (reason === 'other' && !note.trim()) {
      toast('请说明举报原因')
      return
    }
    setBusy(true)
    try {
      await flagReport(reportId, note.trim() ? { reason, note: note.trim() } : { reason })
      toast('举报已提交，我们会尽快审核')
      onFlagged()
    } catch (e) {
      // already flagged counts as done for this person
      if (e instanceof ApiError && e.code === 'FLAG_ALREADY') onFlagged()
      toast(e instanceof ApiError ? e.message : '提交失败，请稍后重试')
    } finally {
      setBusy(false)
    }
  }

  return (
    <Popup visible={visible} position='bottom' round closeable title='举报' onClose={onClose}>
      <View className='rp-flag'>
        <View className='rp-flag__hint'>请选择举报原因。举报人信息严格保密，不会告知发布者。</View>
        <Radio.Group className='rp-flag__reasons' value={reason} onChange={(v) => setReason(v as FlagReason)}>
          {REASONS.map(([k, label]) => (
            <Radio key={k} className='rp-flag__reason' value={k}>
              {label}
            </Radio>
          ))}
        </Radio.Group>
        <TextArea
          className='rp-flag__note'
          value={note}
          placeholder={reason === 'other' ? '请说明举报原因（必填）' : '补充说明（选填）'}
          maxLength={200}
          showCount
          onChange={setNote}
        />
        <Button className='rp-flag__submit' type='primary' block loading={busy} onClick={submit}>
          提交举报
        </Button>
      </View>
    </Popup>
  )
}
