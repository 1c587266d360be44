import { View } from '@tarojs/components'
import { Checkbox, Input, Radio, TextArea } from '@nutui/nutui-react-taro'
import type { AnswerValue, SurveyQuestion } from '@contract/surveys'
import { DEFAULT_SCALE_LABELS, SCALE_VALUES } from '../visibility'
import './QuestionView.scss'

const TEXT_LIMITS = { short_text: 100, long_text: 1000 }
const RATINGS = Array.from({ length: 11 }, (_, i) => i)

/**
 * One survey question with NutUI inputs: 单选/量表 as a Radio group, 多选 as a Checkbox group, 0–10 as buttons,
 * 矩阵 as one button row per line, 文字 as Input/TextArea; "其他（请注明）" asks for words when chosen.
 * Options appear in the survey's fixed order, none preselected.
 */
export default function QuestionView({
  question: q,
  index,
  value,
  onChange,
}: {
  question: SurveyQuestion
  index: number
  value: AnswerValue | undefined
  onChange: (v: AnswerValue | undefined) => void
}) {
  const other = q.options?.find((o) => o.other)
  const picked = value?.choices ?? (value?.choice !== undefined ? [value.choice] : [])
  const labels = q.labels ?? DEFAULT_SCALE_LABELS
  const hint =
    q.type === 'multiple'
      ? (() => {
          const min = Math.max(q.minChoices ?? 1, 1)
          const max = q.maxChoices ?? q.options!.length
          return min === max ? `请选 ${min} 项` : `可选 ${min}–${max} 项`
        })()
      : null
  return (
    <View className='sv-q'>
      <View className='sv-q__title'>
        <View className='sv-q__no'>{index}.</View>
        <View className='sv-q__text'>
          {q.title}
          {q.required ? <View className='sv-q__required'>（必答）</View> : null}
        </View>
      </View>
      {q.description ? <View className='sv-muted sv-q__desc'>{q.description}</View> : null}
      {hint ? <View className='sv-muted sv-q__desc'>{hint}</View> : null}

      {q.type === 'single' ? (
        <Radio.Group className='sv-q__group' value={value?.choice ?? ''} onChange={(v) => onChange({ choice: String(v), other: value?.other })}>
          {q.options!.map((o) => (
            <Radio key={o.value} className='sv-q__opt' value={o.value}>
              {o.label}
            </Radio>
          ))}
        </Radio.Group>
      ) : null}

      {q.type === 'multiple' ? (
        <Checkbox.Group className='sv-q__group' value={picked} onChange={(v: string[]) => onChange(v.length ? { choices: q.options!.map((o) => o.value).filter((x) => v.includes(x)), other: value?.other } : undefined)}>
          {q.options!.map((o) => (
            <Checkbox key={o.value} className='sv-q__opt' value={o.value} label={o.label} />
          ))}
        </Checkbox.Group>
      ) : null}

      {other && picked.includes(other.value) ? (
        <Input
          className='sv-q__other'
          placeholder={`请注明${other.label.replace(/（.*）$/, '')}的内容`}
          maxLength={200}
          value={value?.other ?? ''}
          onChange={(v: string) => onChange({ ...value, other: v })}
        />
      ) : null}

      {q.type === 'scale5' ? (
        <Radio.Group className='sv-q__group' value={value?.value !== undefined ? String(value.value) : ''} onChange={(v) => onChange({ value: Number(v) })}>
          {SCALE_VALUES.map((v, i) => (
            <Radio key={v} className='sv-q__opt' value={String(v)}>
              {labels[i]}
            </Radio>
          ))}
        </Radio.Group>
      ) : null}

      {q.type === 'rating10' ? (
        <View>
          <Radio.Group className='sv-q__rating' direction='horizontal' value={value?.value !== undefined ? String(value.value) : ''} onChange={(v) => onChange({ value: Number(v) })}>
            {RATINGS.map((v) => (
              <Radio key={v} shape='button' className='sv-q__point' value={String(v)}>
                {String(v)}
              </Radio>
            ))}
          </Radio.Group>
          {q.ends ? (
            <View className='sv-muted sv-q__ends'>
              <View>0 = {q.ends[0]}</View>
              <View>10 = {q.ends[1]}</View>
            </View>
          ) : null}
        </View>
      ) : null}

      {q.type === 'matrix' ? (
        <View className='sv-q__matrix'>
          {q.rows!.map((r) => (
            <View key={r.key} className='sv-q__row'>
              <View className='sv-q__row-label'>{r.label}</View>
              <Radio.Group
                className='sv-q__row-group'
                direction='horizontal'
                value={value?.rows?.[r.key] !== undefined ? String(value.rows[r.key]) : ''}
                onChange={(v) => onChange({ rows: { ...(value?.rows ?? {}), [r.key]: Number(v) } })}
              >
                {SCALE_VALUES.map((v, i) => (
                  <Radio key={v} shape='button' className='sv-q__point' value={String(v)}>
                    {labels[i]}
                  </Radio>
                ))}
              </Radio.Group>
            </View>
          ))}
        </View>
      ) : null}

      {q.type === 'short_text' ? (
        <Input
          className='sv-q__input'
          placeholder='请填写'
          maxLength={q.maxLength ?? TEXT_LIMITS.short_text}
          value={value?.text ?? ''}
          onChange={(v: string) => onChange(v ? { text: v } : undefined)}
        />
      ) : null}

      {q.type === 'long_text' ? (
        <TextArea
          className='sv-q__textarea'
          placeholder='请填写'
          showCount
          maxLength={q.maxLength ?? TEXT_LIMITS.long_text}
          value={value?.text ?? ''}
          onChange={(v: string) => onChange(v ? { text: v } : undefined)}
        />
      ) : null}
    </View>
  )
}
