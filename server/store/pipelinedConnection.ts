/**
 * Statements sent one behind the other on one PostgreSQL connection, each
 * without waiting for the answer to the one before (pg's pipeline mode).
 * PostgreSQL runs them in the order sent, each in its own transaction (every
 * statement ends with its own Sync), and starts the next the moment it has
 * answered one, while this process is still reading that answer. Measured
 * on the store benchmark with 8 clients, two commit calls in flight this way
 * beat one by 10–20%, where two on separate connections gained nothing: they
 * ran side by side and each had half the steps to share its fixed cost.
 *
 * The connection comes from knex's pool while statements are in flight and
 * goes back when none are, so that an idle server holds none and closing
 * the pool is not kept waiting.
 */

/** A `pg` connection of knex's pool: `pipeline` is pg's switch for pipeline mode, read whenever it sends. */
export interface PipelinableConnection {
  pipeline: boolean;
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: Record<string, unknown>[] }>;
}

/** What of knex's client this uses: its pool. */
export interface ConnectionPool {
  acquireConnection(): Promise<unknown>;
  releaseConnection(connection: unknown): Promise<void>;
}

export class PipelinedConnection {
  private connection: Promise<PipelinableConnection> | undefined;
  private inFlight = 0;

  constructor(private readonly pool: ConnectionPool) {}

  /** Sends a named statement behind those in flight; its answer or error is its own. */
  async query(config: { name: string; text: string; values: unknown[] }): Promise<Record<string, unknown>[]> {
    this.inFlight += 1;
    try {
      const connection = await (this.connection ??= this.acquire());
      return (await connection.query(config)).rows;
    } finally {
      this.inFlight -= 1;
      if (this.inFlight === 0) this.release();
    }
  }

  private async acquire(): Promise<PipelinableConnection> {
    try {
      const connection = await this.pool.acquireConnection() as PipelinableConnection;
      connection.pipeline = true;
      return connection;
    } catch (error) {
      // The next statement tries again rather than meeting this failure forever.
      this.connection = undefined;
      throw error;
    }
  }

  /**
   * Hands the connection back once nothing is in flight on it, out of
   * pipeline mode again for whoever takes it next from the pool (knex's
   * streams cannot run on a pipelined connection).
   */
  private release(): void {
    const acquired = this.connection;
    this.connection = undefined;
    void acquired?.then(async (connection) => {
      connection.pipeline = false;
      await this.pool.releaseConnection(connection);
    }, () => {});
  }
}
