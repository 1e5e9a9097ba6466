/**
 * A strict reader for the block-style YAML subset the deployment files are written in, so tests can read them
 * without a YAML dependency (the repository has none). It reads block mappings and sequences (including
 * `- key: value` items), plain, 'single' and "double" quoted scalars, flow sequences of scalars (`[a, b]`),
 * literal block scalars (`|`, `|-`) and comments. Anything else — tags (`!Ref`), anchors and aliases, flow
 * mappings, folded scalars, several documents — is refused with the line number rather than misread, so a file
 * this accepts means what it says. Scalars stay strings (no number or boolean typing): callers compare text.
 */

export type YamlValue = string | null | YamlValue[] | { [key: string]: YamlValue };

const UNSUPPORTED_START = /^[!&*{>%@`]/;

export function parseYamlSubset(text: string): YamlValue {
  const lines = text.split(/\r?\n/);
  let i = 0;

  const fail = (message: string): never => {
    throw new Error(`YAML line ${i + 1}: ${message}`);
  };
  const skippable = (line: string): boolean => {
    const t = line.trim();
    return t === '' || t.startsWith('#');
  };
  const indentOf = (line: string): number => {
    const n = line.length - line.trimStart().length;
    if (line.slice(0, n).includes('\t')) fail('tabs are not allowed in indentation');
    return n;
  };
  const skip = (): void => {
    while (i < lines.length && skippable(lines[i] as string)) i++;
  };
  const isSequenceItem = (content: string): boolean => content === '-' || content.startsWith('- ');

  /** `text` without a trailing comment (a `#` after a space, outside quotes). */
  const withoutComment = (text: string): string => {
    let quote: string | null = null;
    for (let k = 0; k < text.length; k++) {
      const c = text[k];
      if (quote) {
        if (c === quote) quote = null;
      } else if (c === '"' || c === "'") {
        quote = c;
      } else if (c === '#' && (k === 0 || text[k - 1] === ' ')) {
        return text.slice(0, k).trimEnd();
      }
    }
    return text.trimEnd();
  };

  /** A quoted scalar at the start of `text`: its value and what follows it. */
  const quoted = (text: string): { value: string; rest: string } => {
    const q = text[0];
    let value = '';
    for (let k = 1; k < text.length; k++) {
      const c = text[k] as string;
      if (q === "'") {
        if (c === "'" && text[k + 1] === "'") {
          value += "'";
          k++;
        } else if (c === "'") {
          return { value, rest: text.slice(k + 1) };
        } else value += c;
      } else if (c === '\\') {
        const e = text[++k];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', n: '\n', t: '\t', r: '\r', '0': '\0' };
        if (e !== undefined && e in simple) value += simple[e];
        else if (e === 'u') {
          value += String.fromCharCode(parseInt(text.slice(k + 1, k + 5), 16));
          k += 4;
        } else fail(`unsupported escape \\${e ?? ''}`);
      } else if (c === '"') {
        return { value, rest: text.slice(k + 1) };
      } else value += c;
    }
    return fail('unterminated quoted scalar');
  };

  const scalar = (raw: string): string => {
    const text = raw.trim();
    if (text.startsWith('"') || text.startsWith("'")) {
      const { value, rest } = quoted(text);
      if (withoutComment(rest).trim() !== '') fail(`unexpected text after a quoted scalar: ${rest.trim()}`);
      return value;
    }
    const plain = withoutComment(text);
    if (UNSUPPORTED_START.test(plain) || plain.startsWith('[') || plain.startsWith('|')) fail(`unsupported YAML syntax: ${plain}`);
    if (/:( |$)/.test(plain)) fail(`a plain scalar cannot contain ": " (quote it): ${plain}`);
    return plain;
  };

  const inlineValue = (raw: string): YamlValue => {
    const text = withoutComment(raw.trim());
    if (!text.startsWith('[')) return scalar(text);
    if (!text.endsWith(']')) fail('a flow sequence must end on its line');
    const inner = text.slice(1, -1).trim();
    if (inner === '') return [];
    const items: string[] = [];
    let current = '';
    let quote: string | null = null;
    for (const c of inner) {
      if (quote) {
        if (c === quote) quote = null;
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '[' || c === '{') fail('nested flow collections are not supported');
      else if (c === ',') {
        items.push(current);
        current = '';
        continue;
      }
      current += c;
    }
    items.push(current);
    return items.map(scalar);
  };

  /** The key of a `key: value` line and the text after the colon; null when the line is no mapping entry. */
  const splitKey = (content: string): { key: string; rest: string } | null => {
    if (content.startsWith('"') || content.startsWith("'")) {
      const { value, rest } = quoted(content);
      const m = /^\s*:( |$)/.exec(rest);
      return m ? { key: value, rest: rest.slice(m[0].length) } : null;
    }
    const m = /:( |$)/.exec(content);
    if (!m) return null;
    const key = content.slice(0, m.index);
    if (UNSUPPORTED_START.test(key) || key.startsWith('[') || key.startsWith('?')) fail(`unsupported key: ${key}`);
    return { key, rest: content.slice(m.index + m[0].length) };
  };

  const literal = (parentIndent: number, header: string): string => {
    const start = i;
    while (i < lines.length && ((lines[i] as string).trim() === '' || indentOf(lines[i] as string) > parentIndent)) i++;
    const block = lines.slice(start, i);
    while (block.length > 0 && (block[block.length - 1] as string).trim() === '') block.pop();
    if (block.length === 0) return '';
    const blockIndent = indentOf(block.find((l) => l.trim() !== '') as string);
    const body = block.map((l) => (l.trim() === '' ? '' : l.slice(blockIndent))).join('\n');
    return header === '|-' ? body : `${body}\n`;
  };

  const sequence = (indent: number): YamlValue[] => {
    const items: YamlValue[] = [];
    for (;;) {
      skip();
      if (i >= lines.length) break;
      const line = lines[i] as string;
      const lineIndent = indentOf(line);
      if (lineIndent < indent || !isSequenceItem(line.slice(indent))) break;
      if (lineIndent > indent) fail('unexpected indentation');
      const rest = line.slice(indent + 1);
      if (withoutComment(rest).trim() === '') {
        i++;
        skip();
        if (i >= lines.length || indentOf(lines[i] as string) <= indent) items.push(null);
        else items.push(node());
      } else if (splitKey(rest.trimStart()) !== null) {
        // "- key: value": a mapping whose first entry shares the dash's line; seen as if the dash were a space.
        lines[i] = `${line.slice(0, indent)} ${rest}`;
        items.push(mapping(indentOf(lines[i] as string)));
      } else {
        const value = rest.trim();
        if (value === '|' || value === '|-') fail('block scalars as sequence items are not supported');
        items.push(inlineValue(value));
        i++;
      }
    }
    return items;
  };

  const mapping = (indent: number): { [key: string]: YamlValue } => {
    const out: { [key: string]: YamlValue } = {};
    for (;;) {
      skip();
      if (i >= lines.length) break;
      const line = lines[i] as string;
      const lineIndent = indentOf(line);
      if (lineIndent < indent) break;
      if (lineIndent > indent) fail('unexpected indentation');
      const content = line.slice(indent);
      if (content === '---' || content === '...') fail('only one YAML document is supported');
      const entry = splitKey(content);
      if (entry === null) fail(`expected "key: value": ${content.trim()}`);
      const { key, rest } = entry as { key: string; rest: string };
      if (Object.hasOwn(out, key)) fail(`duplicate key ${key}`);
      i++;
      const value = withoutComment(rest).trim();
      if (value === '|' || value === '|-') {
        out[key] = literal(indent, value);
      } else if (value !== '') {
        out[key] = inlineValue(value);
      } else {
        skip();
        const next = lines[i];
        if (next === undefined) out[key] = null;
        else if (indentOf(next) > indent) out[key] = node();
        else if (indentOf(next) === indent && isSequenceItem(next.slice(indent))) out[key] = sequence(indent);
        else out[key] = null;
      }
    }
    return out;
  };

  const node = (): YamlValue => {
    skip();
    const line = lines[i] as string;
    const indent = indentOf(line);
    return isSequenceItem(line.slice(indent)) ? sequence(indent) : mapping(indent);
  };

  skip();
  if (i >= lines.length) return null;
  if (indentOf(lines[i] as string) !== 0) fail('the document must start at column 0');
  const doc = node();
  skip();
  if (i < lines.length) fail('unexpected text after the document');
  return doc;
}
