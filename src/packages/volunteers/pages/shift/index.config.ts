export default definePageConfig({ navigationBarTitleText: '签到码与名单', pageOrientation: 'auto' })
