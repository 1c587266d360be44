import { View } from '@tarojs/components'
import { Checkbox, Radio } from '@nutui/nutui-react-taro'
import type { QuestionForAnswering } from '@contract/quizzes'
import { KIND_LABEL, LETTERS } from '../utils/clock'
import './QuestionCard.scss'

/**
 * One question to answer: 单选/判断 as a NutUI Radio group, 多选 as a Checkbox group.
 * `value` holds 0-based option indexes. With `reveal`, options are marked right/wrong and locked; a reveal that
 * is `withheld` (a question the person never answered: the server keeps its answer) only locks them.
 */
export default function QuestionCard({
  question,
  value,
  onChange,
  disabled = false,
  reveal,
  heading,
}: {
  question: QuestionForAnswering
  value: number[]
  onChange?: (choice: number[]) => void
  disabled?: boolean
  reveal?: { answer: number[]; explanation?: string; withheld?: boolean }
  heading?: string
}) {
  // a revealed question keeps full contrast (no disabled look); it just ignores taps
  const locked = disabled
  const change = reveal ? undefined : onChange
  const optClass = (i: number) => {
    if (!reveal || reveal.withheld) return 'qz-q__opt'
    if (reveal.answer.includes(i)) return 'qz-q__opt qz-q__opt--right'
    if (value.includes(i)) return 'qz-q__opt qz-q__opt--wrong'
    return 'qz-q__opt'
  }
  const label = (o: string, i: number) => (question.kind === 'judge' ? o : `${LETTERS[i] ?? i + 1}. ${o}`)
  return (
    <View className='qz-q'>
      <View className='qz-q__head'>
        <View className='qz-q__kind'>{KIND_LABEL[question.kind] ?? question.kind}</View>
        {heading ? <View className='qz-q__heading'>{heading}</View> : null}
      </View>
      <View className='qz-q__stem'>{question.stem}</View>
      {question.kind === 'multiple' ? (
        <Checkbox.Group
          className='qz-q__group'
          value={value.map(String)}
          disabled={locked}
          onChange={(v: string[]) => change?.(v.map(Number).sort((a, b) => a - b))}
        >
          {question.options.map((o, i) => (
            <Checkbox key={i} className={optClass(i)} value={String(i)} label={label(o, i)} />
          ))}
        </Checkbox.Group>
      ) : (
        <Radio.Group
          className='qz-q__group'
          value={value.length ? String(value[0]) : ''}
          disabled={locked}
          onChange={(v: string | number | boolean) => change?.([Number(v)])}
        >
          {question.options.map((o, i) => (
            <Radio key={i} className={optClass(i)} value={String(i)}>
              {label(o, i)}
            </Radio>
          ))}
        </Radio.Group>
      )}
      {question.kind === 'multiple' && !reveal ? <View className='cl-muted qz-q__hint'>多选题：选出全部正确选项</View> : null}
      {reveal?.withheld ? (
        <View className='qz-q__reveal'>
          <View className='qz-q__answer'>未作答：作答过的题才显示正确答案和解析</View>
        </View>
      ) : reveal ? (
        <View className='qz-q__reveal'>
          <View className='qz-q__answer'>正确答案：{reveal.answer.map((i) => (question.kind === 'judge' ? question.options[i] : LETTERS[i])).join('、')}</View>
          {reveal.explanation ? <View className='qz-q__explain'>解析：{reveal.explanation}</View> : null}
        </View>
      ) : null}
    </View>
  )
}
