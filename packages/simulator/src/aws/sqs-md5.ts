/**
 * The MD5 digests SQS returns: of the message body (checked by SDK v3 on SendMessage and ReceiveMessage) and
 * of the message attributes (the documented length-prefixed encoding, sorted by name).
 */
import { createHash } from 'node:crypto';

/** A message attribute as the JSON protocol carries it (`BinaryValue` is base64 text on the wire). */
export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

/** Lowercase hex MD5 of the UTF-8 bytes of `text`. */
export function md5Hex(text: string | Buffer): string {
  return createHash('md5').update(text).digest('hex');
}

function lengthPrefixed(bytes: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(bytes.length, 0);
  return Buffer.concat([len, bytes]);
}

/**
 * MD5OfMessageAttributes: for each attribute in ascending name order, length-prefixed name, length-prefixed
 * DataType, one transport byte (1 String/Number, 2 Binary), length-prefixed value bytes; MD5 of the whole.
 */
export function md5OfMessageAttributes(attributes: Readonly<Record<string, MessageAttributeValue>>): string {
  const parts: Buffer[] = [];
  for (const name of Object.keys(attributes).sort()) {
    const a = attributes[name] as MessageAttributeValue;
    parts.push(lengthPrefixed(Buffer.from(name, 'utf8')), lengthPrefixed(Buffer.from(a.DataType, 'utf8')));
    if (a.DataType.startsWith('Binary')) {
      parts.push(Buffer.of(2), lengthPrefixed(Buffer.from(a.BinaryValue ?? '', 'base64')));
    } else {
      parts.push(Buffer.of(1), lengthPrefixed(Buffer.from(a.StringValue ?? '', 'utf8')));
    }
  }
  return createHash('md5').update(Buffer.concat(parts)).digest('hex');
}
