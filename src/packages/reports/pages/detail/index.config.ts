export default definePageConfig({ navigationBarTitleText: '随手拍详情', enablePullDownRefresh: true, backgroundTextStyle: 'dark' })
