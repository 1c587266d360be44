export default definePageConfig({ navigationBarTitleText: '文明共建', enablePullDownRefresh: true, backgroundTextStyle: 'dark' })
