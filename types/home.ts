import { Type, type Static } from '@sinclair/typebox'
import { CommunityRef } from './accounts'

/** What the server really has for the signed-in resident's community; counts are counted, never invented. */
export const HomeOverview = Type.Object({
  community: Type.Union([
    Type.Object({
      ...CommunityRef.properties,
      population: Type.Integer(),
      registeredResidents: Type.Integer(),
      workers: Type.Integer(),
    }),
    Type.Null(),
  ]),
  /** Each capability that has something for this community adds a section; empty until there is data. */
  sections: Type.Array(
    Type.Object({
      key: Type.String(),
      title: Type.String(),
      items: Type.Array(Type.Object({ id: Type.String(), title: Type.String(), subtitle: Type.Optional(Type.String()) })),
    }),
  ),
})
export type HomeOverview = Static<typeof HomeOverview>
