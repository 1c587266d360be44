import { useState } from 'react'
import { View } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { Button, Checkbox, Input, Radio, TextArea } from '@nutui/nutui-react-taro'
import type { ChangedQuestion, QuestionBankItem, UpdateQuestionBody } from '@contract/quizzes'
import { ApiError, toast } from '@/services/api'
import { restoreQuestion, retireQuestion, updateQuestion } from '@/services/quizzes'
import { DIFFICULTY_LABEL, KIND_LABEL, LETTERS } from '../utils/clock'
import { describeShortages } from '../utils/shortages'
import './QuestionEditor.scss'

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)
const splitTags = (text: string) => [...new Set(text.split(/[,，、;；\s]+/).map((t) => t.trim()).filter(Boolean))]

/**
 * One bank question opened from the admin list: edit its stem, options, answer, explanation, tags and difficulty
 * (the kind stays), or retire / restore it. Only the changed fields are sent; the server checks them with the
 * same rules as an import and says what is wrong. A question the caller may not change is shown read-only.
 */
export default function QuestionEditor({
  question,
  onChanged,
  onClose,
}: {
  question: QuestionBankItem
  onChanged: (q: QuestionBankItem) => void
  onClose: () => void
}) {
  const judge = question.kind === 'judge'
  const [stem, setStem] = useState(question.stem)
  const [options, setOptions] = useState<string[]>(question.options)
  const [answer, setAnswer] = useState<number[]>(question.answer)
  const [explanation, setExplanation] = useState(question.explanation)
  const [tags, setTags] = useState(question.tags.join('，'))
  const [difficulty, setDifficulty] = useState(question.difficulty)
  const [busy, setBusy] = useState<'' | 'save' | 'retire'>('')
  const [error, setError] = useState('')

  if (!question.editable) {
    return (
      <View className='qz-edit'>
        <View className='qz-edit__readonly'>
          {question.regionCode === null ? '市级题库的题目，只有创文办可以修改。' : '上级区域题库的题目，由该区域的工作人员修改。'}
        </View>
        {question.options.map((o, i) => (
          <View key={i} className={question.answer.includes(i) ? 'qz-edit__opt qz-edit__opt--right' : 'qz-edit__opt'}>
            {judge ? o : `${LETTERS[i]}. ${o}`}
          </View>
        ))}
        {question.explanation ? <View className='cl-muted'>解析：{question.explanation}</View> : null}
        <Button size='small' fill='none' onClick={onClose}>收起</Button>
      </View>
    )
  }

  const setOption = (i: number, v: string) => setOptions(options.map((o, j) => (j === i ? v : o)))
  const removeOption = (i: number) => {
    setOptions(options.filter((_, j) => j !== i))
    // the answer names options by position: those after the removed one move up
    setAnswer(answer.filter((a) => a !== i).map((a) => (a > i ? a - 1 : a)))
  }

  const save = async () => {
    setError('')
    const body: UpdateQuestionBody = {}
    if (stem.trim() !== question.stem) body.stem = stem.trim()
    const opts = options.map((o) => o.trim())
    if (!judge && !same(opts, question.options)) body.options = opts
    const sorted = [...answer].sort((a, b) => a - b)
    if (!same(sorted, question.answer)) body.answer = sorted
    if (explanation.trim() !== question.explanation) body.explanation = explanation.trim()
    const tagList = splitTags(tags)
    if (!same(tagList, question.tags)) body.tags = tagList
    if (difficulty !== question.difficulty) body.difficulty = difficulty
    if (Object.keys(body).length === 0) return setError('没有改动')
    if (!tagList.length) return setError('请至少填写一个标签')
    if (!sorted.length) return setError('请选择正确答案')
    setBusy('save')
    try {
      const saved = await updateQuestion(question.id, body)
      onChanged(saved)
      // the modal says it was saved; a toast over it would hide its text
      if (saved.shortages.length) {
        await Taro.showModal({ title: '已保存，有活动题目不足', content: describeShortages(saved.shortages), showCancel: false, confirmText: '知道了' })
      } else toast('已保存')
    } catch (e) {
      setError(e instanceof ApiError ? e.message : '保存失败，请稍后重试')
    } finally {
      setBusy('')
    }
  }

  const toggleActive = async () => {
    if (question.active) {
      const { confirm } = await Taro.showModal({
        title: '停用这道题',
        content: '停用后，答题活动、每日一练和现场答题都不会再抽到它；居民已答过的记录和错题本照常显示。可随时恢复。',
        confirmText: '停用',
        cancelText: '不停用',
      })
      if (!confirm) return
    }
    setBusy('retire')
    setError('')
    try {
      const saved = question.active ? await retireQuestion(question.id) : await restoreQuestion(question.id)
      onChanged(saved)
      if (saved.shortages.length) await offerRestore(saved)
      else toast(saved.active ? '已恢复' : '已停用')
    } catch (e) {
      setError(e instanceof ApiError ? e.message : '操作失败，请稍后重试')
    } finally {
      setBusy('')
    }
  }

  // retired, and running campaigns are now short of questions: say which, and offer to undo at once
  const offerRestore = async (saved: ChangedQuestion) => {
    const { confirm } = await Taro.showModal({
      title: '已停用，有活动题目不足', content: describeShortages(saved.shortages), confirmText: '恢复此题', cancelText: '知道了',
    })
    if (!confirm) return
    try {
      onChanged(await restoreQuestion(question.id))
      toast('已恢复')
    } catch (e) {
      toast(e instanceof ApiError ? e.message : '恢复失败，请在“已停用的题”中重试')
    }
  }

  return (
    <View className='qz-edit'>
      <View className='qz-edit__label'>题干（{KIND_LABEL[question.kind]}，题型不可改）</View>
      <TextArea className='qz-edit__area' placeholder='题干' value={stem} maxLength={500} onChange={setStem} />

      {judge ? null : <View className='qz-edit__label'>选项</View>}
      {judge ? null : (
        <View>
          {options.map((o, i) => (
            <View key={i} className='qz-edit__option'>
              <View className='qz-edit__letter'>{LETTERS[i]}</View>
              <Input className='qz-edit__input' placeholder={`选项${LETTERS[i]}`} value={o} maxLength={200} onChange={(v) => setOption(i, v)} />
              {options.length > 2 ? (
                <Button size='mini' fill='none' onClick={() => removeOption(i)}>删除</Button>
              ) : null}
            </View>
          ))}
          {options.length < LETTERS.length ? (
            <Button size='small' fill='outline' onClick={() => setOptions([...options, ''])}>添加选项</Button>
          ) : null}
        </View>
      )}
      <View className='qz-edit__label'>正确答案{question.kind === 'multiple' ? '（多选，至少两项）' : ''}</View>
      {question.kind === 'multiple' ? (
        <Checkbox.Group className='qz-edit__answer' direction='horizontal' value={answer.map(String)} onChange={(v: string[]) => setAnswer(v.map(Number))}>
          {options.map((_, i) => <Checkbox key={i} value={String(i)} label={LETTERS[i]} />)}
        </Checkbox.Group>
      ) : (
        <Radio.Group className='qz-edit__answer' direction='horizontal' value={answer.length ? String(answer[0]) : ''} onChange={(v) => setAnswer([Number(v)])}>
          {options.map((o, i) => <Radio key={i} value={String(i)}>{judge ? o : LETTERS[i]}</Radio>)}
        </Radio.Group>
      )}

      <View className='qz-edit__label'>解析</View>
      <TextArea className='qz-edit__area' placeholder='解析（答题后展示给居民）' value={explanation} maxLength={1000} onChange={setExplanation} />

      <View className='qz-edit__label'>标签</View>
      <Input className='qz-edit__input' placeholder='标签，用逗号分隔' value={tags} onChange={setTags} />

      <View className='qz-edit__label'>难度</View>
      <Radio.Group className='qz-edit__answer' direction='horizontal' value={String(difficulty)} onChange={(v) => setDifficulty(Number(v))}>
        {[1, 2, 3].map((d) => <Radio key={d} value={String(d)}>{DIFFICULTY_LABEL[d]}</Radio>)}
      </Radio.Group>

      {error ? <View className='qz-edit__error'>{error}</View> : null}
      <View className='qz-edit__actions'>
        <Button type='primary' size='small' loading={busy === 'save'} disabled={busy !== ''} onClick={save}>保存修改</Button>
        <Button type={question.active ? 'danger' : 'success'} fill='outline' size='small' loading={busy === 'retire'} disabled={busy !== ''} onClick={toggleActive}>
          {question.active ? '停用此题' : '恢复此题'}
        </Button>
        <Button size='small' fill='none' onClick={onClose}>收起</Button>
      </View>
    </View>
  )
}
