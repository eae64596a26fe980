import { expect } from 'chai';
import { inexactNumbers } from '../../../server/http/exactNumbers.js';

describe('numbers a JSON body cannot keep exactly', () => {
  const numbers = (text: string) => inexactNumbers(text).map((problem) => /the number (\S+) at position (\d+)/.exec(problem.message)?.slice(1).join('@'));

  it('finds numbers whose digits a double does not keep', () => {
    expect(numbers('[9007199254740993, -9007199254740993, 12345678901234567890, 3.14159265358979323846, 1.2345678901234567891e5]'))
      .to.deep.equal(['9007199254740993@1', '-9007199254740993@19', '12345678901234567890@38', '3.14159265358979323846@60', '1.2345678901234567891e5@84']);
    expect(numbers('[2.5e-324]'), 'far below 1e-300, where doubles hold fewer digits').to.deep.equal(['2.5e-324@1']);
  });

  it('passes what a double keeps, written as sent or shorter, and leaves numbers beyond its range to the variable check', () => {
    expect(numbers('[9007199254740991, 9007199254740992, -9007199254740991, 100000000000000000000, 0.30000000000000004, 1.5e300]')).to.deep.equal([]);
    expect(numbers('[1.50000000000000000, 0.1, 1e400, -0, 1234567890.12345, 5e-324, 12345678.1234567]')).to.deep.equal([]);
  });

  it('reads no number inside a text, escaped quotes included', () => {
    expect(numbers('{"9007199254740993":"a \\" 9007199254740993 \\\\","b":"12345678901234567890"}')).to.deep.equal([]);
    expect(numbers('{"a":"\\\\",  "b":12345678901234567890}')).to.deep.equal(['12345678901234567890@16']);
  });

  it('finds nothing in a body without 16 digits in a row and in text that is not JSON', () => {
    expect(inexactNumbers('{"a":1,"b":[2,3.5]}')).to.deep.equal([]);
    expect(numbers('{"a":')).to.deep.equal([]);
  });
});
