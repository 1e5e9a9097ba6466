import { describe, expect, it } from 'vitest';
import { md5Hex, md5OfMessageAttributes } from './sqs-md5.ts';

describe('SQS MD5s', () => {
  it('matches the reference body digest (UTF-8 bytes)', () => {
    expect(md5Hex('{"hello":"wörld"}')).toBe('350a65ddaf4148f9f4fd19793b7ee08f');
  });

  it('matches the envelope sample MD5OfBody (shared/reference/aws-wire/sqs-message-envelope.json)', () => {
    const body = "{\"version\":\"0\",\"id\":\"6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f\",\"detail-type\":\"EC2 Spot Instance Interruption Warning\",\"source\":\"aws.ec2\",\"account\":\"123456789012\",\"time\":\"2024-05-01T12:28:00Z\",\"region\":\"us-east-1\",\"resources\":[\"arn:aws:ec2:us-east-1:123456789012:instance/i-0a1b2c3d4e5f60718\"],\"detail\":{\"instance-id\":\"i-0a1b2c3d4e5f60718\",\"instance-action\":\"terminate\"}}";
    expect(md5Hex(body)).toBe('9d01acd90aa614b882de38625b973b37');
  });

  it('reproduces the published attribute vectors', () => {
    expect(md5OfMessageAttributes({ attribName1: { DataType: 'String', StringValue: 'attribValue 1' } })).toBe('19e27d4e946b072f3f58da80d94fd778');
    expect(md5OfMessageAttributes({ 'trace-id': { DataType: 'String', StringValue: 'abc-123' }, attempt: { DataType: 'Number', StringValue: '1' } })).toBe('ed2b1ad7211643c81776a04256eb2db0');
  });
});
