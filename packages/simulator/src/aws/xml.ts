/**
 * A small XML writer for EC2 query-protocol answers. Values map to elements in insertion order:
 * objects → child elements, arrays → `<item>` children (EC2's list convention), `null` or an empty array →
 * an empty element (`<groupSet/>`), `undefined` → nothing.
 */
export type XmlValue = string | number | boolean | null | undefined | readonly XmlValue[] | XmlObject;
/** An element's children by name, in output order. */
export interface XmlObject {
  readonly [name: string]: XmlValue;
}

// XML 1.0 cannot carry most C0 control characters at all (not even as references): drop them.
// eslint-disable-next-line no-control-regex
const INVALID_XML_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

/** Escapes text for element content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(INVALID_XML_CHARS, '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

/** Renders `<name>value</name>`. */
export function renderElement(name: string, value: XmlValue): string {
  if (value === undefined) return '';
  if (value === null) return `<${name}/>`;
  if (Array.isArray(value)) {
    if (value.length === 0) return `<${name}/>`;
    return `<${name}>${value.map((v) => renderElement('item', v as XmlValue)).join('')}</${name}>`;
  }
  if (typeof value === 'object') {
    return `<${name}>${renderChildren(value as XmlObject)}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** Renders each entry of `obj` as an element. */
export function renderChildren(obj: XmlObject): string {
  let out = '';
  for (const [k, v] of Object.entries(obj)) out += renderElement(k, v);
  return out;
}

export const EC2_XMLNS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

/** A whole EC2 success document: `<{Action}Response xmlns=…><requestId>…</requestId>…`. */
export function ec2ResponseDocument(action: string, requestId: string, body: XmlObject): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${EC2_XMLNS}">${renderElement('requestId', requestId)}${renderChildren(body)}</${action}Response>`;
}

/** The EC2 error document (no namespace, capitalised `RequestID`). */
export function ec2ErrorDocument(code: string, message: string, requestId: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error></Errors><RequestID>${escapeXml(requestId)}</RequestID></Response>`;
}
