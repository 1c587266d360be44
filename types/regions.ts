import { Type, type Static } from '@sinclair/typebox'
import { RegionLevel } from './common'

export const RegionSummary = Type.Object({
  code: Type.String(),
  name: Type.String(),
  level: RegionLevel,
  parentCode: Type.Union([Type.String(), Type.Null()]),
  population: Type.Integer(),
  hasChildren: Type.Boolean(),
})
export type RegionSummary = Static<typeof RegionSummary>

export const RegionDetail = Type.Object({
  ...RegionSummary.properties,
  /** From the city down to this region's parent. */
  ancestors: Type.Array(Type.Object({ code: Type.String(), name: Type.String(), level: RegionLevel })),
  center: Type.Union([Type.Object({ lng: Type.Number(), lat: Type.Number() }), Type.Null()]),
})
export type RegionDetail = Static<typeof RegionDetail>

export const RegionList = Type.Object({ items: Type.Array(RegionSummary) })
export type RegionList = Static<typeof RegionList>

export const LocateQuery = Type.Object({
  lng: Type.Number({ minimum: -180, maximum: 180 }),
  lat: Type.Number({ minimum: -90, maximum: 90 }),
})
export type LocateQuery = Static<typeof LocateQuery>

const RegionRef = Type.Object({ code: Type.String(), name: Type.String() })
/** The regions that contain a point (GCJ-02), from the grid up to the city. */
export const LocateResult = Type.Object({
  grid: Type.Union([RegionRef, Type.Null()]),
  community: RegionRef,
  street: RegionRef,
  district: RegionRef,
  city: RegionRef,
})
export type LocateResult = Static<typeof LocateResult>

export const ImportSummary = Type.Object({
  created: Type.Integer(),
  updated: Type.Integer(),
  byLevel: Type.Record(Type.String(), Type.Integer()),
  version: Type.Integer(),
})
export type ImportSummary = Static<typeof ImportSummary>

/** A region's children with their boundaries, simplified for drawing (the dashboard's map). */
export const ChildGeometry = Type.Object({
  code: Type.String(),
  name: Type.String(),
  level: RegionLevel,
  /** GeoJSON Polygon / MultiPolygon (GCJ-02), simplified; null where the region has no boundary */
  geometry: Type.Union([Type.Object({ type: Type.Union([Type.Literal('Polygon'), Type.Literal('MultiPolygon')]), coordinates: Type.Array(Type.Unknown()) }), Type.Null()]),
  center: Type.Union([Type.Tuple([Type.Number(), Type.Number()]), Type.Null()]),
})
export const ChildGeometries = Type.Object({ regionCode: Type.String(), items: Type.Array(ChildGeometry) })
export type ChildGeometries = Static<typeof ChildGeometries>
