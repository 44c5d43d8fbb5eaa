import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadSqlite } from './load.js';
import { Sql } from './sql.js';
import { MAX_WAITING_JOBS, WriteBatch } from './write-batch.js';

describe('WriteBatch', () => {
  let sql: Sql;
  let commits: number;
  beforeEach(() => {
    const db = new (loadSqlite().DatabaseSync)(':memory:');
    db.exec('CREATE TABLE t (id TEXT PRIMARY KEY)');
    sql = new Sql(db);
    commits = 0;
    // Count transactions by wrapping the one method the batch commits through.
    const transaction = sql.transaction.bind(sql);
    sql.transaction = <T>(fn: () => T): T => {
      const result = transaction(fn);
      commits++;
      return result;
    };
  });
  afterEach(() => sql.db.close());

  const insert = (batch: WriteBatch, id: string) =>
    batch.enqueue(() => Number(sql.statement('INSERT INTO t (id) VALUES (?)').run(id).changes));
  const ids = () =>
    sql.db
      .prepare('SELECT id FROM t ORDER BY id')
      .all()
      .map((row) => row.id);

  it('commits the writes of one event-loop turn in one transaction, and resolves each with its result', async () => {
    const batch = new WriteBatch(sql);
    const results = await Promise.all(['a', 'b', 'c'].map((id) => insert(batch, id)));
    expect(results).toEqual([1, 1, 1]);
    expect(commits).toBe(1);
    expect(ids()).toEqual(['a', 'b', 'c']);
  });

  /** Resolves after `n` turns of the event loop (each `setImmediate` callback runs in the next turn). */
  const turns = async (n: number) => {
    for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
  };

  it('waits one more turn, so writes that arrive in the next turn share the commit', async () => {
    const batch = new WriteBatch(sql);
    const first = insert(batch, 'a');
    await turns(1);
    expect(commits).toBe(0);
    const second = insert(batch, 'b');
    await Promise.all([first, second]);
    expect(commits).toBe(1);
    expect(ids()).toEqual(['a', 'b']);
    // Never longer than that: a lone write is committed two turns after it was queued.
    const third = insert(batch, 'c');
    await turns(1);
    expect(commits).toBe(1);
    await turns(1);
    expect(commits).toBe(2);
    await third;
  });

  it('commits a full batch at the end of its first turn', async () => {
    const batch = new WriteBatch(sql);
    const writes = Array.from({ length: MAX_WAITING_JOBS }, (_, i) => insert(batch, `id${i}`));
    await turns(1);
    expect(commits).toBe(1);
    expect(batch.pending).toBe(0);
    await Promise.all(writes);
  });

  it('resolves a write only after it is committed', async () => {
    const batch = new WriteBatch(sql);
    let settled = false;
    const write = insert(batch, 'a').then(() => {
      settled = true;
    });
    await Promise.resolve();
    expect(settled).toBe(false);
    expect(ids()).toEqual([]);
    await write;
    expect(ids()).toEqual(['a']);
  });

  it('fails only the write that throws; the others commit', async () => {
    const batch = new WriteBatch(sql);
    const outcomes = await Promise.allSettled([insert(batch, 'a'), insert(batch, 'a'), insert(batch, 'b')]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((outcomes[1] as PromiseRejectedResult).reason)).toMatch(/UNIQUE constraint failed/);
    expect(ids()).toEqual(['a', 'b']);
  });

  it('fails every write of the batch when the transaction cannot be opened', async () => {
    const batch = new WriteBatch(sql);
    sql.db.exec('BEGIN');
    const outcomes = await Promise.allSettled([insert(batch, 'a'), insert(batch, 'b')]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    sql.db.exec('ROLLBACK');
    expect(ids()).toEqual([]);
  });

  it('commits at once on flush(), and the next writes form a new batch', async () => {
    const batch = new WriteBatch(sql);
    const first = insert(batch, 'a');
    expect(batch.pending).toBe(1);
    batch.flush();
    expect(batch.pending).toBe(0);
    expect(ids()).toEqual(['a']);
    await first;
    await insert(batch, 'b');
    expect(commits).toBe(2);
  });
});
