/** Base URL of the API: '' (same origin) for H5 served by our server, absolute for the mini-program. Set at build time. */
export const API_BASE: string = (process.env.TARO_APP_API_BASE as string | undefined) ?? ''
export const API_PREFIX = '/api/v1'
