/**
 * The part of `autocannon` (which ships no types) that the benchmark uses.
 */
declare module 'autocannon' {
  namespace autocannon {
    interface Options {
      url: string;
      method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
      headers?: Record<string, string>;
      body?: string;
      connections?: number;
      duration?: number;
      pipelining?: number;
      /** Requests per second across all connections; unlimited when absent. */
      overallRate?: number;
      /** Called with each connection's client once it is created. */
      setupClient?: (client: Client) => void;
    }
    /** One connection's client. */
    interface Client {
      /** Replaces the headers of the following requests. */
      setHeaders(headers: Record<string, string>): void;
      /** Emitted after every response. */
      on(event: 'response', listener: () => void): void;
    }
    interface Histogram {
      average: number;
      mean: number;
      p50: number;
      p97_5: number;
      p99: number;
      max: number;
    }
    interface Result {
      requests: Histogram & { total: number };
      latency: Histogram;
      throughput: Histogram;
      errors: number;
      timeouts: number;
      non2xx: number;
      '2xx': number;
      duration: number;
    }
  }
  function autocannon(options: autocannon.Options): Promise<autocannon.Result>;
  export = autocannon;
}
