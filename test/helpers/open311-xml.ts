import { SaxesParser } from 'saxes'

/**
 * Reads Open311 XML the way FixMyStreet's client does (XML::Simple with ForceArray on the group tags, KeyAttr off,
 * SuppressEmpty undef): an element with children becomes an object, one with text a string, an empty one null;
 * the items of the spec's lists (service, request, request_update, error, attribute, value, endpoint, format) are
 * always arrays. A strict parser: malformed XML throws.
 */
const FORCE_ARRAY = new Set(['service', 'attribute', 'value', 'request', 'error', 'request_update', 'group', 'endpoint', 'format'])

export type XmlValue = string | null | XmlObject | XmlValue[]
export interface XmlObject {
  [name: string]: XmlValue
}

export function parseXml(xml: string): { root: string; value: XmlObject } {
  const parser = new SaxesParser()
  interface Frame { name: string; children: XmlObject; text: string; hasChild: boolean }
  const stack: Frame[] = []
  const out: { done?: { root: string; value: XmlObject }; failure?: Error } = {}
  parser.on('error', (err) => {
    out.failure ??= err
  })
  parser.on('opentag', (node) => {
    stack.push({ name: node.name, children: {}, text: '', hasChild: false })
  })
  parser.on('text', (t) => {
    if (stack.length) stack[stack.length - 1].text += t
  })
  parser.on('closetag', () => {
    const f = stack.pop()!
    const value: XmlValue = f.hasChild ? f.children : f.text.trim() === '' ? null : f.text
    const parent = stack[stack.length - 1]
    if (!parent) {
      out.done = { root: f.name, value: f.hasChild ? f.children : {} }
      return
    }
    parent.hasChild = true
    const had = parent.children[f.name]
    if (had === undefined) parent.children[f.name] = FORCE_ARRAY.has(f.name) ? [value] : value
    else parent.children[f.name] = Array.isArray(had) ? [...had, value] : [had, value]
  })
  parser.write(xml).close()
  if (out.failure) throw out.failure
  if (!out.done) throw new Error('no root element')
  return out.done
}
