export default definePageConfig({ navigationBarTitleText: '申请成为志愿者' })
