import { describe, expect, it } from 'vitest';
import { define } from '../define.js';
import { catalogueConflicts, ERROR_AREAS, ERRORS } from './index.js';

describe('the catalogue assembled from its areas', () => {
  it('has no name or code in two areas', () => {
    expect(catalogueConflicts(ERROR_AREAS)).toEqual([]);
  });

  it('keeps every entry of every area (no name hides another in the spread)', () => {
    const areaEntries = Object.values(ERROR_AREAS).flatMap((area) => Object.keys(area));
    expect(Object.keys(ERRORS).sort()).toEqual([...areaEntries].sort());
  });

  it('reports a code reused by another area, retired or not', () => {
    const retired = { ...define(40023, 'old', 'retired entry', 'nothing'), retired: true };
    const conflicts = catalogueConflicts({
      archives: { OLD: retired },
      sip: { NEW: define(40023, 'new', 'new entry', 'fix') },
    });
    expect(conflicts).toEqual(['code 40023 is used by both archives.OLD and sip.NEW']);
  });

  it('reports a name defined in two areas', () => {
    const conflicts = catalogueConflicts({
      a: { SAME: define(40001, 'm', 'description', 'fix') },
      b: { SAME: define(40002, 'm', 'description', 'fix') },
    });
    expect(conflicts).toEqual(['name SAME is defined in both a.SAME and b.SAME']);
  });
});
