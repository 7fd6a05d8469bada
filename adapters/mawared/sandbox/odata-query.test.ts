import { describe, expect, test } from '@jest/globals';
import { applyODataQuery, parseODataQuery, ODataQueryError } from './odata-query.js';

const FIELDS = new Set(['Id', 'State', 'Year', 'Vacant', 'EndDate']);
const ROWS = [
  { Id: 'a', State: 'QA', Year: 2024, Vacant: true, EndDate: null },
  { Id: 'b', State: 'SA', Year: 2025, Vacant: false, EndDate: '2026-01-31' },
  { Id: "c'd", State: 'QA', Year: 2026, Vacant: false, EndDate: null },
];
const parse = (query: string) => parseODataQuery(new URLSearchParams(query), FIELDS, 1000);

describe('the sandbox OData query options', () => {
  test('filter with in, quoted quotes, booleans, null and numbers', () => {
    expect(applyODataQuery(ROWS, parse("$filter=Id in ('a','c''d') and Vacant eq false")).value.map((r) => r.Id)).toEqual(["c'd"]);
    expect(applyODataQuery(ROWS, parse('$filter=EndDate eq null and Year ge 2025')).value.map((r) => r.Id)).toEqual(["c'd"]);
    expect(applyODataQuery(ROWS, parse("$filter=State ne 'QA'&$count=true")).count).toBe(1);
    expect(applyODataQuery(ROWS, parse("$filter=contains(Id,'D') and State eq 'QA'")).value.map((r) => r.Id)).toEqual(["c'd"]);
  });

  test('order, select, skip and top', () => {
    const { value, count } = applyODataQuery(ROWS, parse('$orderby=State desc,Year asc&$select=Id,Year&$skip=1&$top=1'));
    expect(value).toEqual([{ Id: 'a', Year: 2024 }]);
    expect(count).toBe(3);
  });

  test('an index on a compared property gives the same answer as a scan', () => {
    const index = new Map<unknown, typeof ROWS>([['QA', [ROWS[0]!, ROWS[2]!]], ['SA', [ROWS[1]!]]]);
    const query = parse("$filter=State in ('SA','QA') and Year le 2025&$orderby=Id asc");
    expect(applyODataQuery(ROWS, query, new Map([['State', index]]))).toEqual(applyODataQuery(ROWS, query));
  });

  test.each([
    ['$filter=Id in (\'a\'', 'an unterminated list'],
    ['$filter=Id eq \'a\' or Id eq \'b\'', 'or'],
    ['$filter=Secret eq 1', 'an unknown property'],
    ['$select=Id,Nope', 'an unknown property in $select'],
    ['$top=1001', '$top over the limit'],
    ['$expand=Units', 'an unsupported option'],
    ['$orderby=Id sideways', 'a bad direction'],
    ['$filter=contains(Id,3)', 'contains() with a number'],
  ])('refuses %s (%s)', (query) => {
    expect(() => parse(query)).toThrow(ODataQueryError);
  });
});
