import { redactUrl } from '../../server/lib/request-log'

describe('URLs in the request log', () => {
  it('hide the values of credential-like parameters on any route, keep the rest as sent', () => {
    expect(redactUrl('/api/v1/live/AB12CD/ws?token=s3cret')).toBe('/api/v1/live/AB12CD/ws?token=[REDACTED]')
    expect(redactUrl('/open311/v2/requests.json?api_key=k1&service_code=spitting&lat=30.1'))
      .toBe('/open311/v2/requests.json?api_key=[REDACTED]&service_code=spitting&lat=30.1')
    expect(redactUrl('/x?access_token=a&Code=b&X-Amz-Signature=c&sessionKey=d&password=e&page=2&sign=f'))
      .toBe('/x?access_token=[REDACTED]&Code=[REDACTED]&X-Amz-Signature=[REDACTED]&sessionKey=[REDACTED]&password=[REDACTED]&page=2&sign=[REDACTED]')
  })

  it('catch names sent encoded, repeated or odd, and leave URLs without a query alone', () => {
    expect(redactUrl('/x?%74oken=a&token=b&token&=c&q=%E4%BD%A0')).toBe('/x?%74oken=[REDACTED]&token=[REDACTED]&token&=c&q=%E4%BD%A0')
    expect(redactUrl('/x?api%5Fkey=a%ZZ&%ZZ=1')).toBe('/x?api%5Fkey=[REDACTED]&%ZZ=1')
    expect(redactUrl('/api/v1/reports/mine')).toBe('/api/v1/reports/mine')
  })
})
