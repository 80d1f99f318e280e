import { describe, expect, it } from 'vitest';
import { readOptionalSetting, readSetting, SETTING, SettingsError, SettingsReader } from '../../core/config/settings';

const read = <T>(value: unknown, rule: Parameters<typeof readSetting<T>>[2]) =>
  readSetting({ NAME: value }, 'NAME', rule);
const refusal = (value: unknown, rule: Parameters<typeof readSetting>[2]) => {
  try {
    readSetting({ NAME: value }, 'NAME', rule);
  } catch (error) {
    expect(error).toBeInstanceOf(SettingsError);
    return (error as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(value)} to be refused`);
};

describe('the shared settings rules', () => {
  it('reads a boolean the same way from env text and from JSON context', () => {
    expect([' TRUE ', '1', true].map((value) => read(value, SETTING.boolean))).toEqual([true, true, true]);
    expect(['false', '0', false].map((value) => read(value, SETTING.boolean))).toEqual([false, false, false]);
    expect(refusal('yes', SETTING.boolean)).toBe('NAME must be true or false, got "yes"');
  });

  it('takes integers as digits or JSON numbers within their range', () => {
    expect(read('42', SETTING.integer(1, 100))).toBe(42);
    expect(read(42, SETTING.integer(1, 100))).toBe(42);
    expect(refusal('1e2', SETTING.integer(1, 100))).toBe('NAME must be an integer from 1 to 100, got "1e2"');
    expect(refusal(101, SETTING.integer(1, 100))).toBe('NAME must be an integer from 1 to 100, got "101"');
    expect(refusal('0', SETTING.positiveInteger)).toBe('NAME must be a positive integer, got "0"');
    expect(refusal('65536', SETTING.port)).toBe('NAME must be a port number (0-65535), got "65536"');
  });

  it('takes positive decimals up to a maximum', () => {
    expect(read('0.84', SETTING.fraction)).toBe(0.84);
    expect(read(2500.5, SETTING.positiveNumber(10_000))).toBe(2500.5);
    expect(refusal('0', SETTING.fraction)).toBe('NAME must be a number above 0 and at most 1, got "0"');
    expect(refusal('1.5', SETTING.fraction)).toBe('NAME must be a number above 0 and at most 1, got "1.5"');
  });

  it('reads a list comma-separated, as a JSON array, or as a JSON array given as text', () => {
    expect(read(' a, b ,,c ', SETTING.list)).toEqual(['a', 'b', 'c']);
    expect(read(['a', 'b'], SETTING.list)).toEqual(['a', 'b']);
    expect(read('["a,b", "c"]', SETTING.list)).toEqual(['a,b', 'c']);
    const letters = SETTING.listOf('a list of single letters', (entry) => entry.length === 1, 1);
    expect(read('x,y', letters)).toEqual(['x', 'y']);
    expect(refusal('x,yz', letters)).toBe('NAME must be a list of single letters, got "x,yz"');
    expect(refusal('[]', letters)).toBe('NAME must be a list of single letters, got "[]"');
  });

  it('reads a JSON object natively or from text', () => {
    expect(read({ a: 1 }, SETTING.jsonObject)).toEqual({ a: 1 });
    expect(read('{"a": 1}', SETTING.jsonObject)).toEqual({ a: 1 });
    expect(refusal('[1]', SETTING.jsonObject)).toBe('NAME must be a JSON object, got "[1]"');
    expect(refusal('{a', SETTING.jsonObject)).toBe('NAME must be a JSON object, got "{a"');
  });

  it('checks strings by pattern, predicate or fixed choices', () => {
    expect(read(' ab ', SETTING.matching(/^[a-z]+$/, 'lower-case letters'))).toBe('ab');
    expect(refusal('A', SETTING.matching(/^[a-z]+$/, 'lower-case letters'))).toBe(
      'NAME must be lower-case letters, got "A"',
    );
    const https = SETTING.satisfying('an https URL', (value) => URL.parse(value)?.protocol === 'https:');
    expect(read('https://example.com', https)).toBe('https://example.com');
    expect(refusal('http://example.com', https)).toBe('NAME must be an https URL, got "http://example.com"');
    expect(refusal('gpu', SETTING.oneOf(['cpu', 'cuda']))).toBe('NAME must be one of cpu, cuda, got "gpu"');
  });

  it('treats empty text as not set: the fallback, undefined, or "is not set"', () => {
    expect(readSetting({ NAME: ' ' }, 'NAME', SETTING.positiveInteger, 7)).toBe(7);
    expect(readOptionalSetting({ NAME: '' }, 'NAME', SETTING.text)).toBeUndefined();
    expect(refusal('', SETTING.text)).toBe('NAME is not set');
  });

  it('reports every problem of a reader at once, in reading order', () => {
    const reader = new SettingsReader({ A: 'x', B: '2', C: 'maybe' });
    expect(reader.value('A', SETTING.positiveInteger, 1)).toBe(1);
    expect(reader.value('B', SETTING.positiveInteger, 1)).toBe(2);
    expect(reader.optional('C', SETTING.boolean)).toBeUndefined();
    reader.problem('A and B disagree');
    expect(() => reader.done('Invalid settings')).toThrow(
      'Invalid settings: A must be a positive integer, got "x"; C must be true or false, got "maybe"; A and B disagree',
    );
  });
});
