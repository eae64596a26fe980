/**
 * Comments on a circulation folder (a process instance), optionally on one of
 * its tasks, kept as a history: added, never edited. `onBehalfOf` records the
 * absent colleague when a deputy writes.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';

export interface NewComment {
  instanceId: string;
  taskId?: string;
  authorId: string;
  onBehalfOf?: string;
  text: string;
  at: Date;
}

export interface Comment {
  id: string;
  instanceId: string;
  taskId?: string;
  authorId: string;
  onBehalfOf?: string;
  text: string;
  createdAt: Date;
}

/** Which comments to list: a folder's (all its tasks' included), or one task's. */
export type CommentQuery = { instanceId: string; taskId?: string } | { instanceId?: string; taskId: string };

interface CommentRow {
  id: string;
  instance_id: string;
  task_id: string | null;
  author_id: string;
  on_behalf_of: string | null;
  text: string;
  created_at: Date;
}

function fromRow(row: CommentRow): Comment {
  return {
    id: row.id, instanceId: row.instance_id, authorId: row.author_id, text: row.text, createdAt: new Date(row.created_at),
    ...(row.task_id === null ? {} : { taskId: row.task_id }),
    ...(row.on_behalf_of === null ? {} : { onBehalfOf: row.on_behalf_of }),
  };
}

export class Comments {
  constructor(private readonly knex: Knex) {}

  async addComment(comment: NewComment): Promise<Comment> {
    const row: CommentRow = {
      id: randomUUID(), instance_id: comment.instanceId, task_id: comment.taskId ?? null, author_id: comment.authorId,
      on_behalf_of: comment.onBehalfOf ?? null, text: comment.text, created_at: comment.at,
    };
    await this.knex('comments').insert(row);
    return fromRow(row);
  }

  /** Oldest first. */
  async listComments(query: CommentQuery): Promise<Comment[]> {
    const builder = this.knex<CommentRow>('comments').orderBy([{ column: 'created_at' }, { column: 'id' }]);
    if (query.instanceId !== undefined) void builder.where({ instance_id: query.instanceId });
    if (query.taskId !== undefined) void builder.where({ task_id: query.taskId });
    return (await builder).map(fromRow);
  }
}
