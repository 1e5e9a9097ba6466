import { describe, expect, it } from 'vitest';
import { parseYamlSubset } from './yaml-subset.ts';

describe('parseYamlSubset', () => {
  it('reads block mappings and sequences, "- key:" items, quoting, flow sequences, literals and comments', () => {
    const text = [
      '# a comment',
      'Name: plain text # trailing comment',
      'Quoted: "a: b # not a comment"',
      "Single: 'it''s'",
      'Empty:',
      'List:',
      '  - one',
      '  - Fn::GetAtt: [Queue, Arn]',
      '    Extra: "x"',
      'Inline:',
      '- at the key indent',
      'Nested:',
      '  aws:SourceArn:',
      '    - arn:aws:sqs:eu-west-1:123:q',
      'Literal: |',
      '  {',
      '    "a": "${X}"',
      '  }',
      'Stripped: |-',
      '  line',
    ].join('\n');
    expect(parseYamlSubset(text)).toEqual({
      Name: 'plain text',
      Quoted: 'a: b # not a comment',
      Single: "it's",
      Empty: null,
      List: ['one', { 'Fn::GetAtt': ['Queue', 'Arn'], Extra: 'x' }],
      Inline: ['at the key indent'],
      Nested: { 'aws:SourceArn': ['arn:aws:sqs:eu-west-1:123:q'] },
      Literal: '{\n  "a": "${X}"\n}\n',
      Stripped: 'line',
    });
  });

  it('refuses what it does not read rather than misreading it', () => {
    for (const [text, error] of [
      ['Value: !Ref Queue', /unsupported YAML syntax: !Ref/],
      ['a: &anchor x', /unsupported/],
      ['a: {b: c}', /unsupported/],
      ['a: x: y', /cannot contain ": "/],
      ['a: 1\na: 2', /duplicate key a/],
      ['a: 1\n  b: 2', /line 2: unexpected indentation/],
      ['a: 1\n---\nb: 2', /one YAML document/],
      ['a: "open', /unterminated/],
    ] as const) {
      expect(() => parseYamlSubset(text), text).toThrow(error);
    }
  });
});
