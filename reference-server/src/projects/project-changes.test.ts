import { describe, expect, it } from 'vitest';
import { aProject } from '../store/store.fixtures.js';
import { ProjectChanges } from './project-changes.js';

describe('ProjectChanges', () => {
  it('turns a status change into suspended or reactivated, and no change into nothing', () => {
    const changes = new ProjectChanges();
    const seen: string[] = [];
    changes.on('suspended', (p) => seen.push(`suspended ${p.status}`));
    changes.on('reactivated', (p) => seen.push(`reactivated ${p.status}`));
    const active = aProject();
    const suspended = aProject({ status: 'SUSPENDED' });
    changes.statusChanged(active, suspended);
    changes.statusChanged(suspended, suspended);
    changes.statusChanged(suspended, active);
    expect(seen).toEqual(['suspended SUSPENDED', 'reactivated ACTIVE']);
  });

  it('reports a failing listener as listenerError, and still calls the others', () => {
    const changes = new ProjectChanges();
    const errors: unknown[] = [];
    let called = false;
    changes.on('listenerError', (error) => errors.push(error));
    changes.on('deleted', () => {
      throw new Error('gateway down');
    });
    changes.on('deleted', () => {
      called = true;
    });
    expect(() => changes.emit('deleted', aProject())).not.toThrow();
    expect(called).toBe(true);
    expect(errors).toEqual([new Error('gateway down')]);
  });
});
