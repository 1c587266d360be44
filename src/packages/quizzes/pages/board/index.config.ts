export default definePageConfig({ navigationBarTitleText: '积分与排行' })
