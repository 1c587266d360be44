/** 注销: the phrase typed to confirm (the client bundles this file; no schema library here). */
export const ERASURE_PHRASE = '注销账号'
